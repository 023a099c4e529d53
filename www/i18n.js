// Interface strings in English and Korean, number formats, and the helpers that apply them.
// It must not hold console lines: the engine prints those in the chosen language itself.

export const LANGUAGES = ['en', 'ko'];

const STRINGS = {
  en: {
    title: 'Pipeline Lab',
    tagline: 'Threads and queues at work: Effective Python, Item 55.',
    panHint: '↔ Swipe the canvas sideways to see the whole pipeline.',
    language: 'Language',
    preset: 'Program',
    builder: 'Pipeline builder',
    builderSummary:
      'Your own pipeline: stages, workers, buffer sizes and service times from the sliders.',
    engine: 'Engine',
    engineModel: 'model',
    engineThreads: 'real threads',
    reasonIsolation:
      'real threads need a cross-origin isolated page (SharedArrayBuffer); this one is not, so the model engine runs',
    reasonNoBuild: 'threaded build not available',
    reasonLoadFailed: 'the threaded build failed to load',
    engineThreadsTitle:
      'The live engine: every thread of the program on a Web Worker of its own, from a pool of {pool}',
    poolTooSmall:
      "Real threads: this program has {needed} threads, but the page's pool has {capacity} Web Workers, one for each thread (main and at most {workers} workers). Use fewer workers, or the model engine.",
    speed: 'Speed',
    play: 'Play',
    pause: 'Pause',
    runAgain: 'Run again',
    step: 'Step',
    stepBack: 'Step back',
    reset: 'Reset',
    copyLink: 'Copy link',
    linkCopied: 'Link copied to the clipboard.',
    linkShown: 'Copy this link:',
    help: 'Keyboard shortcuts',
    present: 'Presentation',
    closeHelp: 'Close',
    status: 'Status',
    itemsDone: 'Items done',
    virtualTime: 'Virtual time',
    throughput: 'Throughput',
    bestThroughput: 'capacity bound (long run)',
    latency: 'Latency p50 / p95 / p99',
    polls: 'Polls (wasted)',
    wastedCpu: 'CPU burnt waiting',
    memory: 'Memory',
    console: 'Console',
    consoleTail: 'Console, last lines',
    code: 'Python',
    stats: 'Stats',
    charts: 'Over time',
    chartQueues: 'Queue lengths',
    chartThroughput: 'Throughput (items/s)',
    chartEarlyOffScale: 'early points above the axis: few items done yet',
    chartUtilization: 'Utilization',
    stagesTable: 'Stages',
    queuesTable: 'Queues',
    little: "Little's law",
    colStage: 'stage',
    colWorkers: 'workers',
    colUtil: 'utilization',
    colBlockedGet: 'blocked on get',
    colBlockedPut: 'blocked on put',
    colL: 'L (items in stage)',
    colLambdaW: 'λ × W',
    colQueue: 'queue',
    colMaxsize: 'maxsize',
    colNow: 'now',
    colMean: 'mean',
    colMax: 'max',
    colUnfinished: 'unfinished tasks',
    sliders: 'Sliders',
    live: 'changes apply while running',
    builderOnly:
      'Stages, items, service times, arrivals and the seed are fixed by this program: pick "Pipeline builder" to change them.',
    workersFixed:
      "This program puts a fixed number of SENTINELs on each stage's queue, so its worker count is fixed (P6 and the builder send one per worker).",
    items: 'Items',
    stages: 'Stages',
    workers: 'Workers',
    maxsize: 'maxsize',
    service: 'Service time',
    dist: 'Distribution',
    distExp: 'exponential',
    distUniform: 'uniform ±50%',
    distConst: 'constant',
    rate: 'Arrival rate',
    rateAll: 'all at once',
    memoryBudget: 'Memory budget',
    memoryNone: 'none',
    seed: 'Seed',
    newSeed: 'New seed',
    loading: 'Loading…',
    'status.ready': 'ready',
    'status.paused': 'paused',
    'status.running': 'running',
    'status.finished': 'finished',
    'status.hang': 'hang',
    'status.memory_error': 'MemoryError',
    'state.0': 'not started',
    'state.1': 'running',
    'state.2': 'working: func(item)',
    'state.3': 'blocked on get()',
    'state.4': 'blocked on put()',
    'state.5': 'polling (try get, sleep)',
    'state.6': 'sleeping',
    'state.7': 'spinning in a busy-wait',
    'state.8': 'joining',
    'state.9': 'ended',
    'stateShort.0': 'not started',
    'stateShort.1': 'running',
    'stateShort.2': 'working',
    'stateShort.3': 'get() waits',
    'stateShort.4': 'put() waits',
    'stateShort.5': 'polling',
    'stateShort.6': 'sleeping',
    'stateShort.7': 'busy-wait',
    'stateShort.8': 'join()',
    'stateShort.9': 'ended',
    item: 'item',
    sentinel: 'SENTINEL',
    legend: 'Legend',
    mainThread: 'main thread',
    consumer: 'consumer',
    done: 'done',
    doneOf: 'of {total} items',
    bottleneck: 'bottleneck',
    workersCount: '{name} ×{n}',
    queueCount: '{len} / {max}',
    queueCountFull: '{len} / {max} full',
    queueCountUnbounded: '{len} items · ∞',
    queueCountUnboundedOne: '1 item · ∞',
    memoryOf: '{used} of {budget}',
    time: 't = {t} s',
    finishedBanner: 'Finished at t = {t} s',
    hangBanner: 'Hang: {headline}. Threads ringed in orange wait forever.',
    memoryBanner: '{message}',
    waitsForever: 'waits forever',
    unfinishedTasks: 'unfinished {n}',
    backBusyWait: 'busy-wait on len({queue})',
    backGet: 'get() from {queue}',
    itemsPerSecond: 'items/s',
    seconds: 's',
    perSecond: '/s',
    noticeBadUrl: 'Some values in the link were not valid and fell back to their defaults:',
    noticeThreads:
      'The real-threads engine is not available here ({reason}); the model engine runs.',
    noticeRefused: 'Not applied: {message}',
    noticeNextRun: 'It applies from the next run (Reset).',
    noticeLimitedSpeed: 'Stepping at this speed',
    loadFailed: 'Could not start the WebAssembly engine in pkg/st/ (`npm start` builds it):',
    stepBackUnavailable: 'Step back needs the model engine (it replays the run).',
    canvasLabel: 'The pipeline: threads, queues and items',
    helpTitle: 'Keyboard shortcuts',
    helpEnginesTitle: 'Engines',
    helpThreads:
      'Real threads: every thread of the program (main and each worker) runs on a Web Worker of its own, from a pool of {pool} started once per page. A run may have {pool} threads at once, main and {workers} workers, counting the workers the sliders may add: 3 stages × 16 workers and main leave each stage room to grow to 21. A bigger program is refused; the model engine runs any size. Step back and slow motion by single operations need the model engine.',
    keySpace: 'play / pause',
    keyRight: 'step one line (or as the Step menu says)',
    keyLeft: 'step back',
    keyR: 'reset',
    keyDigits: 'pick a program: 1–6 are P1–P6, 7 8 9 0 are F1–F4, B the builder',
    keySpeed: 'slower / faster',
    keyP: 'presentation mode',
    keyL: 'switch language',
    keyHelp: 'this help',
    keyEsc: 'close this help; leave a list or a field, so that these keys work again',
    tipLine: 'line {line}',
    summaryPrefix: 'At t = {t} s:',
    stepBy: 'Step',
    stepByOp: 'one line',
    stepByInstant: 'to next time',
    stepByItem: 'to next item done',
    pace: 'Lines',
    paceProgram: "program's ({lines})",
    paceOff: 'all at once',
    paceLines: '{n}/s',
    scrubber: 'Timeline: operations run so far',
    scrubberAt: 'op {ops} · t = {t} s',
    replaying: 'replaying… {percent}%',
    justRan: 'just ran: {thread}',
    justRanEnded: '{thread} ended',
    keyShiftRight: 'step to the next time',
    noItemDone: 'No item was done within {n} operations.',
    linkMoment: 'Opened at the moment the link was made: operation {ops}, t = {t} s.',
    linkPastEnd:
      'The link names operation {want}, past this run’s end: opened at its end, operation {ops}, t = {t} s.',
    linkThreads:
      'Real threads cannot replay a run: the link opened its program at the start instead of at operation {ops}.',
    linkOld:
      'This link was made by an earlier version of the page, which kept no mid-run changes: its slider values are set at the start.',
    linkControlsRefused:
      'The link’s mid-run changes could not be replayed ({message}); the run has none.',
    linkOldOps:
      'This link was made by an earlier version of the page, which counted a worker’s get() with its SENTINEL check, and put() with its task_done(), as one step: it opened at the same time, t = {t} s, without its mid-run changes.',
    controls: 'Controls',
    transport: 'Run',
    statsTables: 'Stats tables',
    linkLabel: 'Link to this page',
    dismiss: 'Dismiss',
    rosterTitle: 'Threads and queues, as a list',
    rosterThread: '{name}: {state}',
    rosterLine: 'line {line}:',
    rosterQueue: '{name} ({kind}): {len}',
    rosterQueueItems: '{n} items',
    sliderOf: '{what} of {stage}',
    maxsizeOf: 'maxsize of {queue}',
    restarted: '{setting} cannot change a running pipeline, so the run started again from t = 0.',
    'setting.items': 'The number of items',
    'setting.stages': 'The number of stages',
    'setting.service': "A stage's service time",
    'setting.dist': 'The service-time distribution',
    'setting.rate': 'The arrival rate',
    'setting.memory': 'The memory budget',
    'setting.seed': 'The seed',
    'refused.workers': 'The {stage} stage keeps {value} workers: {reason}',
    'refused.maxsize': '{queue} keeps maxsize {value}: {reason}',
    'why.closing':
      'close() was already called on its queue, so the stage is shutting down and its workers are fixed now.',
    'why.noWorkers': 'this stage has no worker thread to copy.',
    stageNoWorkers:
      'No worker thread: a plain thread of the program does this work (L counts the item it holds).',
    'why.fixedSentinels':
      'this program puts one SENTINEL per worker it started by name, so an added worker would never get one and never end. P6 and the pipeline builder send one per worker (stop_threads).',
    'why.ended': 'the run has ended. Reset to change it.',
    'why.polling': 'a polling MyQueue (a deque) has no maxsize.',
    'why.range': 'the allowed values are {allowed}.',
    'why.pool':
      "on real threads this stage may have at most {max} workers (the page's pool has {pool} threads).",
  },
  ko: {
    title: '파이프라인 랩',
    tagline: '스레드와 큐가 일하는 모습: 이펙티브 파이썬, 아이템 55.',
    panHint: '↔ 캔버스를 옆으로 밀면 파이프라인 전체를 볼 수 있습니다.',
    language: '언어',
    preset: '프로그램',
    builder: '파이프라인 빌더',
    builderSummary: '슬라이더로 만든 파이프라인: 단계, 작업자, 버퍼 크기, 처리 시간.',
    engine: '엔진',
    engineModel: '모델',
    engineThreads: '실제 스레드',
    reasonIsolation:
      '실제 스레드는 교차 출처 격리된 페이지(SharedArrayBuffer)가 필요합니다. 이 페이지는 격리되지 않아 모델 엔진이 실행됩니다',
    reasonNoBuild: '스레드 빌드가 없습니다',
    reasonLoadFailed: '스레드 빌드를 불러오지 못했습니다',
    engineThreadsTitle: '라이브 엔진: 프로그램의 스레드마다 웹 워커 하나 (풀 크기 {pool})',
    poolTooSmall:
      '실제 스레드: 이 프로그램은 스레드가 {needed}개이지만 페이지의 풀에는 웹 워커가 {capacity}개뿐입니다. 스레드마다 하나가 필요합니다 (main과 작업자 최대 {workers}개). 작업자를 줄이거나 모델 엔진을 쓰세요.',
    speed: '속도',
    play: '실행',
    pause: '일시 정지',
    runAgain: '다시 실행',
    step: '한 단계',
    stepBack: '한 단계 뒤로',
    reset: '초기화',
    copyLink: '링크 복사',
    linkCopied: '링크를 클립보드에 복사했습니다.',
    linkShown: '이 링크를 복사하세요:',
    help: '단축키',
    present: '발표 모드',
    closeHelp: '닫기',
    status: '상태',
    itemsDone: '처리한 아이템',
    virtualTime: '가상 시간',
    throughput: '처리량',
    bestThroughput: '용량 한계(장기 평균)',
    latency: '지연 시간 p50 / p95 / p99',
    polls: '폴링 (헛된 폴링)',
    wastedCpu: '기다리며 쓴 CPU',
    memory: '메모리',
    console: '콘솔',
    consoleTail: '콘솔, 마지막 줄',
    code: '파이썬 코드',
    stats: '통계',
    charts: '시간에 따른 변화',
    chartQueues: '큐 길이',
    chartThroughput: '처리량 (개/초)',
    chartEarlyOffScale: '초기 값은 축 위: 아직 완료된 항목이 적음',
    chartUtilization: '가동률',
    stagesTable: '단계',
    queuesTable: '큐',
    little: '리틀의 법칙',
    colStage: '단계',
    colWorkers: '작업자',
    colUtil: '가동률',
    colBlockedGet: 'get 대기',
    colBlockedPut: 'put 대기',
    colL: 'L (단계 안의 아이템)',
    colLambdaW: 'λ × W',
    colQueue: '큐',
    colMaxsize: 'maxsize',
    colNow: '현재',
    colMean: '평균',
    colMax: '최대',
    colUnfinished: '끝나지 않은 작업',
    sliders: '슬라이더',
    live: '실행 중에도 바로 적용됩니다',
    builderOnly:
      '단계 수, 아이템 수, 서비스 시간, 도착률, 시드는 이 프로그램에서 정해져 있습니다. 바꾸려면 "파이프라인 빌더"를 고르세요.',
    workersFixed:
      '이 프로그램은 각 단계의 큐에 정해진 수의 센티넬을 넣으므로 작업자 수가 고정됩니다 (P6과 빌더는 작업자마다 하나씩 보냅니다).',
    items: '아이템 수',
    stages: '단계 수',
    workers: '작업자',
    maxsize: 'maxsize',
    service: '처리 시간',
    dist: '분포',
    distExp: '지수 분포',
    distUniform: '균등 분포 ±50%',
    distConst: '고정',
    rate: '도착률',
    rateAll: '한꺼번에',
    memoryBudget: '메모리 한도',
    memoryNone: '없음',
    seed: '시드',
    newSeed: '새 시드',
    loading: '불러오는 중…',
    'status.ready': '준비',
    'status.paused': '일시 정지',
    'status.running': '실행 중',
    'status.finished': '완료',
    'status.hang': '멈춤',
    'status.memory_error': '메모리 부족(MemoryError)',
    'state.0': '시작 전',
    'state.1': '실행 중',
    'state.2': '작업 중: func(item)',
    'state.3': 'get()에서 막혀 대기',
    'state.4': 'put()에서 막혀 대기',
    'state.5': '폴링(get 시도 후 sleep)',
    'state.6': '잠자는 중',
    'state.7': '바쁜 대기로 CPU 소모',
    'state.8': 'join() 대기',
    'state.9': '종료',
    'stateShort.0': '시작 전',
    'stateShort.1': '실행 중',
    'stateShort.2': '작업 중',
    'stateShort.3': 'get() 대기',
    'stateShort.4': 'put() 대기',
    'stateShort.5': '폴링',
    'stateShort.6': '잠자는 중',
    'stateShort.7': '바쁜 대기',
    'stateShort.8': 'join()',
    'stateShort.9': '종료',
    item: '아이템',
    sentinel: '센티넬',
    legend: '범례',
    mainThread: '메인 스레드',
    consumer: '소비자',
    done: '완료',
    doneOf: '/ 전체 {total}개',
    bottleneck: '병목',
    workersCount: '{name} ×{n}',
    queueCount: '{len} / {max}',
    queueCountFull: '{len} / {max} 가득 참',
    queueCountUnbounded: '{len}개 · ∞',
    queueCountUnboundedOne: '1개 · ∞',
    memoryOf: '{used} / {budget}',
    time: 't = {t}초',
    finishedBanner: 't = {t}초에 완료',
    hangBanner: '멈춤: {headline}. 주황색 테두리의 스레드는 영원히 기다립니다.',
    memoryBanner: '{message}',
    waitsForever: '영원히 대기',
    unfinishedTasks: '미완료 {n}',
    backBusyWait: 'len({queue}) 바쁜 대기',
    backGet: '{queue}에서 get()',
    itemsPerSecond: '개/초',
    seconds: '초',
    perSecond: '/초',
    noticeBadUrl: '링크의 일부 값이 올바르지 않아 기본값을 사용합니다:',
    noticeThreads: '실제 스레드 엔진을 쓸 수 없습니다 ({reason}). 모델 엔진으로 실행합니다.',
    noticeRefused: '적용하지 않았습니다: {message}',
    noticeNextRun: '다음 실행(초기화)부터 적용됩니다.',
    noticeLimitedSpeed: '이 속도로 단계 실행',
    loadFailed: 'pkg/st/의 WebAssembly 엔진을 시작하지 못했습니다 (`npm start`로 빌드하세요):',
    stepBackUnavailable: '뒤로 가기는 모델 엔진에서만 됩니다 (실행을 다시 재생합니다).',
    canvasLabel: '파이프라인: 스레드, 큐, 아이템',
    helpTitle: '단축키',
    helpEnginesTitle: '엔진',
    helpThreads:
      '실제 스레드: 프로그램의 스레드(main과 각 작업자)마다 자기 웹 워커에서 실행됩니다. 풀은 페이지마다 한 번 {pool}개로 시작합니다. 한 실행은 슬라이더로 늘릴 수 있는 작업자까지 세어 스레드 {pool}개, 즉 main과 작업자 {workers}개까지 쓸 수 있습니다: 3단계 × 작업자 16개와 main이면 단계마다 21개까지 늘릴 수 있습니다. 더 큰 프로그램은 거절되며, 모델 엔진은 크기 제한이 없습니다. 뒤로 가기와 연산 단위 슬로 모션은 모델 엔진에서만 됩니다.',
    keySpace: '실행 / 일시 정지',
    keyRight: '한 줄 실행 (또는 단계 메뉴대로)',
    keyLeft: '한 단계 뒤로',
    keyR: '초기화',
    keyDigits: '프로그램 고르기: 1–6은 P1–P6, 7 8 9 0은 F1–F4, B는 빌더',
    keySpeed: '느리게 / 빠르게',
    keyP: '발표 모드',
    keyL: '언어 바꾸기',
    keyHelp: '이 도움말',
    keyEsc: '도움말 닫기. 목록이나 입력 칸에서 나와 이 단축키를 다시 쓰기',
    stepBy: '단계',
    stepByOp: '한 줄',
    stepByInstant: '다음 시각까지',
    stepByItem: '다음 아이템 완료까지',
    pace: '줄',
    paceProgram: '프로그램 기본 ({lines})',
    paceOff: '한꺼번에',
    paceLines: '초당 {n}',
    scrubber: '타임라인: 지금까지 실행한 연산',
    scrubberAt: '연산 {ops} · t = {t}초',
    replaying: '다시 재생 중… {percent}%',
    justRan: '방금 실행: {thread}',
    justRanEnded: '{thread} 종료',
    keyShiftRight: '다음 시각까지 한 단계',
    noItemDone: '연산 {n}번 안에 완료된 아이템이 없습니다.',
    linkMoment: '링크를 만든 순간에서 열었습니다: 연산 {ops}, t = {t}초.',
    linkPastEnd:
      '링크가 가리키는 연산 {want}은 이 실행의 끝보다 뒤입니다. 끝에서 열었습니다: 연산 {ops}, t = {t}초.',
    linkThreads:
      '실제 스레드는 실행을 다시 재생할 수 없습니다: 연산 {ops} 대신 프로그램의 처음에서 열었습니다.',
    linkOld:
      '이 링크는 실행 중 변경을 기록하지 않던 이전 버전에서 만들어졌습니다: 슬라이더 값을 시작할 때 적용합니다.',
    linkControlsRefused:
      '링크의 실행 중 변경을 다시 적용할 수 없어 ({message}) 변경 없이 실행합니다.',
    linkOldOps:
      '이 링크는 작업자의 get()과 SENTINEL 검사, put()과 task_done()을 한 단계로 세던 이전 버전에서 만들어졌습니다: 같은 시각 t = {t}초에서 열었고, 실행 중 변경은 적용하지 않았습니다.',
    tipLine: '{line}번째 줄',
    summaryPrefix: 't = {t}초:',
    controls: '조작',
    transport: '실행',
    statsTables: '통계 표',
    linkLabel: '이 페이지의 링크',
    dismiss: '닫기',
    rosterTitle: '스레드와 큐 목록',
    rosterThread: '{name}: {state}',
    rosterLine: '{line}번째 줄:',
    rosterQueue: '{name} ({kind}): {len}',
    rosterQueueItems: '아이템 {n}개',
    sliderOf: '{stage} 단계의 {what}',
    maxsizeOf: '{queue}의 maxsize',
    restarted: '{setting} 실행 중인 파이프라인에서 바꿀 수 없어서 t = 0부터 다시 실행합니다.',
    'setting.items': '아이템 수는',
    'setting.stages': '단계 수는',
    'setting.service': '단계의 처리 시간은',
    'setting.dist': '처리 시간 분포는',
    'setting.rate': '도착률은',
    'setting.memory': '메모리 한도는',
    'setting.seed': '시드는',
    'refused.workers': '{stage} 단계의 작업자 수는 {value}개 그대로입니다. {reason}',
    'refused.maxsize': '{queue}의 maxsize는 {value} 그대로입니다. {reason}',
    'why.closing':
      '큐에서 이미 close()를 호출해 단계가 끝나는 중이므로 작업자 수를 바꿀 수 없습니다.',
    'why.noWorkers': '이 단계에는 복사할 작업자 스레드가 없습니다.',
    stageNoWorkers:
      '작업자 스레드가 없습니다. 프로그램의 일반 스레드가 이 작업을 합니다(L은 그 스레드가 들고 있는 아이템을 셉니다).',
    'why.fixedSentinels':
      '이 프로그램은 이름으로 시작한 작업자 수만큼만 센티넬을 넣으므로, 작업자를 더하면 그 작업자는 센티넬을 받지 못해 끝나지 않습니다. P6과 파이프라인 빌더는 작업자마다 하나씩 보냅니다(stop_threads).',
    'why.ended': '실행이 끝났습니다. 바꾸려면 초기화하세요.',
    'why.polling': '폴링하는 MyQueue(deque)에는 maxsize가 없습니다.',
    'why.range': '쓸 수 있는 값은 {allowed}입니다.',
    'why.pool':
      '실제 스레드에서는 이 단계의 작업자를 최대 {max}개까지 둘 수 있습니다(페이지의 풀은 스레드 {pool}개).',
  },
};

/**
 * Adds a module's own strings (`{en: {...}, ko: {...}}`) to the lookup, so that a panel keeps its
 * words in a file of its own (www/i18n-timeline.js). A key defined here already is not replaced.
 */
export function registerStrings(strings) {
  for (const [lang, entries] of Object.entries(strings)) {
    STRINGS[lang] = { ...entries, ...STRINGS[lang] };
  }
}

/** The string for `key` in `lang` with `{name}` placeholders filled from `vars`. */
export function t(lang, key, vars) {
  const text = STRINGS[lang]?.[key] ?? STRINGS.en[key] ?? key;
  if (!vars) return text;
  return text.replace(/\{(\w+)\}/g, (m, name) =>
    vars[name] !== undefined ? String(vars[name]) : m,
  );
}

/** A `{en, ko}` text from the engine (preset titles, summaries) in `lang`. */
export function pick(localized, lang) {
  if (typeof localized === 'string') return localized;
  return localized?.[lang] ?? localized?.en ?? '';
}

/** Korean when the browser prefers it, English otherwise. */
export function preferredLanguage(navigatorLanguages = globalThis.navigator?.languages ?? []) {
  for (const l of navigatorLanguages) {
    const code = l.toLowerCase();
    if (code.startsWith('ko')) return 'ko';
    if (code.startsWith('en')) return 'en';
  }
  return 'en';
}

/** Fills every `[data-i18n]` element (and `[data-i18n-label]` aria-label) in `lang`. */
export function applyStrings(doc, lang) {
  doc.documentElement.lang = lang;
  for (const el of doc.querySelectorAll('[data-i18n]')) {
    el.textContent = t(lang, el.dataset.i18n);
  }
  for (const el of doc.querySelectorAll('[data-i18n-label]')) {
    el.setAttribute('aria-label', t(lang, el.dataset.i18nLabel));
  }
  for (const el of doc.querySelectorAll('[data-i18n-title]')) {
    el.title = t(lang, el.dataset.i18nTitle);
  }
  doc.title = t(lang, 'title');
}

/** Numbers for people: thousands separated, a few significant digits. */
export function formatNumber(value, digits = 1) {
  const n = Number(value ?? 0);
  if (!Number.isFinite(n)) return '–';
  if (Math.abs(n) >= 100) return Math.round(n).toLocaleString('en-US');
  return n.toFixed(digits);
}

/**
 * One unit style a language: English writes symbols after a space ("1.68 s", "198 items/s");
 * Korean writes its own units against the number, as Korean texts do ("1.68초", "198개/초"),
 * and keeps ms and µs as symbols.
 */
const ATTACHED_UNITS = { en: false, ko: true };

function withUnit(text, unit, lang) {
  return ATTACHED_UNITS[lang] ? `${text}${unit}` : `${text} ${unit}`;
}

/** Seconds with `digits` decimals: "1.617 s", "1.617초". */
export function formatSeconds(seconds, lang, digits = 3) {
  return withUnit(Number(seconds).toFixed(digits), t(lang, 'seconds'), lang);
}

/** A rate: "198 items/s", "198개/초"; without `items`, "198/s", "198/초". */
export function formatRate(perSecond, lang, { items = true } = {}) {
  const n = formatNumber(perSecond);
  if (!items) return `${n}${t(lang, 'perSecond')}`;
  return withUnit(n, t(lang, 'itemsPerSecond'), lang);
}

/** Microseconds as ms or s, whichever reads better. */
export function formatDuration(us, lang) {
  const n = Number(us ?? 0);
  if (!Number.isFinite(n)) return '–';
  if (n >= 1e6) return formatSeconds(n / 1e6, lang, 2);
  if (n >= 1000) return `${(n / 1000).toFixed(n >= 1e5 ? 0 : 1)} ms`;
  return `${Math.round(n)} µs`;
}

/**
 * The simulated MemoryError in `lang`: the engine's sentence (src/python/mod.rs, its sizes worded
 * by the same rule as formatBytes below), so that the status, the banner and the console agree.
 */
export function memoryErrorText(report, lang) {
  if (!report) return 'MemoryError';
  return (lang === 'ko' ? report.message_ko : report.message) || report.message || 'MemoryError';
}

/**
 * A refused live change (`setWorkers`, `setMaxsize`) told to a Python programmer: which stage or
 * queue keeps which value, and why, without the engine's field paths (`stages[0].workers`).
 * `what` is {param: 'workers' | 'maxsize', name, value}: the stage or queue and the value it keeps.
 */
export function refusalText(lang, { param, name, value }, message) {
  const m = String(message ?? '');
  let reason;
  if (/shutting down/.test(m)) reason = t(lang, 'why.closing');
  else if (/no worker threads/.test(m)) reason = t(lang, 'why.noWorkers');
  else if (/SENTINEL/.test(m)) reason = t(lang, 'why.fixedSentinels');
  else if (/run has ended/.test(m)) reason = t(lang, 'why.ended');
  else if (/polling/.test(m)) reason = t(lang, 'why.polling');
  else if (/more threads than the pool/.test(m)) {
    const [, max, pool] = m.match(/at most (\d+) a stage \(a pool of (\d+)/) ?? [];
    reason = t(lang, 'why.pool', { max, pool });
  } else if (/out of range/.test(m)) {
    const allowed = m.match(/allowed: ([^)]*)\)/)?.[1] ?? '';
    reason = t(lang, 'why.range', { allowed: allowed.replace('..=', '–') });
  } else reason = m.replace(/^[\w[\].]+: /, '');
  return param === 'workers'
    ? t(lang, 'refused.workers', { stage: name, value, reason })
    : t(lang, 'refused.maxsize', { queue: name, value: value === 0 ? '∞' : value, reason });
}

/** Bytes as MiB or GiB; src/python/mod.rs `format_bytes` words the engine's sentences the same. */
export function formatBytes(bytes) {
  const n = Number(bytes ?? 0);
  // GiB only when exact: 1,025 MiB against a budget of 1 GiB must not read "1.00 GiB".
  if (n >= 1024 ** 3 && n % 1024 ** 3 === 0) return `${n / 1024 ** 3} GiB`;
  if (n >= 1024 ** 2) {
    const mib = n / 1024 ** 2;
    return `${Number.isInteger(mib) ? mib.toLocaleString('en-US') : mib.toFixed(1)} MiB`;
  }
  if (n >= 1024) return `${Math.round(n / 1024)} KiB`;
  return `${n} B`;
}
