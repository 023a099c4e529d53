// The sweep panel's strings in English and Korean (www/sweep.js), apart from www/i18n.js so
// that the panel's text lives with it. It must not hold the rest of the page's strings.

const STRINGS = {
  en: {
    title: 'Sweep a parameter',
    intro:
      "Runs the pipeline builder's settings over a range of one parameter, a few seeds a value, on the model engine on every core (off the page's own thread), and plots the curve.",
    param: 'Parameter',
    paramMaxsizeAll: 'maxsize of every queue',
    paramMaxsize: 'maxsize of the queue into {stage}',
    paramWorkers: 'workers of {stage}',
    paramService: 'mean service time of {stage} (ms)',
    paramRate: 'arrival rate (items/s)',
    paramItems: 'items',
    from: 'From',
    to: 'To',
    step: 'Step',
    list: 'or a list',
    listHint: '1, 2, 4, 8',
    listTitle: 'Values separated by commas; a list replaces from/to/step.',
    reps: 'Seeds a value',
    base: "Base: the builder's {stages} stages, workers {workers}, maxsize {maxsize}, service {service} ms ({dist}), {items} items, {arrival}, seed {seed}.",
    plotsBase:
      'The sliders have moved since this sweep. The plots below ran on the old settings. {base}',
    allAtOnce: 'all at once',
    perSecond: '{rate}/s',
    start: 'Run sweep',
    cancel: 'Cancel',
    progress: '{done} of {total} runs',
    running: '{done} of {total} runs on {how}…',
    finished: '{total} runs in {seconds} s on {how}.',
    howPool: '{n} threads (rayon pool)',
    howPoolOne: '1 thread (rayon pool)',
    howWorkers: '{n} Web Workers',
    howWorkersOne: '1 Web Worker',
    cancelled: 'Cancelled after {done} of {total} runs; every thread of the sweep is stopped.',
    cancelledPartial:
      'Cancelled after {done} of {total} runs; every thread of the sweep is stopped. Shown: the {values} values whose every seed had run.',
    failedRuns: '{failed} of {total} runs did not finish (a hang or MemoryError).',
    chartThroughput: 'Throughput (items/s)',
    chartLatency: 'Latency (ms)',
    chartMemory: 'Peak memory queued ({unit})',
    chartUtil: 'Busiest stage utilization',
    mean: 'mean of the seeds (latency: their p50)',
    spread: 'min–max of the seeds',
    bound: 'capacity bound',
    p50: 'p50',
    p95: 'latency p95',
    knee: 'knee',
    kneeAt: 'Knee: {param} = {value}, the first value within 5% of the best throughput.',
    noKnee: 'No knee: no run moved any item.',
    risingAt:
      'No knee within the range: throughput is still rising at {param} = {value}, the highest value swept (the first within 5% of the best). Try higher values.',
    risingAt2:
      'No knee within the range: the first cell within 5% of the best throughput, {param} = {value} with {param2} = {value2}, is at the top of a range swept, where throughput is still rising. Try higher values.',
    shortMaxsizeAll: 'maxsize',
    shortMaxsize: '{stage} maxsize',
    shortWorkers: '{stage} workers',
    shortService: '{stage} ms',
    shortRate: 'rate',
    shortItems: 'items',
    clickHint: 'Click a point to open its run (first seed) in the builder above.',
    tapHint:
      'Tap a point to read it below; tap it again to open its run (first seed) in the builder above.',
    keysHint: '← and → pick a point, Enter opens its run.',
    runOne: 'run',
    runMany: 'runs',
    point:
      '{param} = {value}: throughput {throughput}/s ({min}–{max}), p95 {p95} ms, {runs} {runWord}.',
    openSeed: 'seed {seed}',
    openRuns: 'Open a run:',
    uniformNote:
      '(With uniform service times the sweep keeps the base’s spread around each mean; the builder spreads ±50%, so the run it opens differs.)',
    param2: 'Second parameter (heat map)',
    param2None: 'none: one parameter, curves',
    list2: 'its values',
    list2Hint: '1, 2, 5, 10, 0',
    list2Title:
      'Values of the second parameter, separated by commas: every value of the first runs with every one of these (a grid), drawn as a heat map.',
    noValues2: 'Give the second parameter a list of values.',
    heatFigure: 'Colour by',
    heatP95: 'Latency p95 (ms)',
    heatMemory: 'Peak memory queued (MiB)',
    heatCaption: '{figure}: {rows} down, {columns} across; each cell the mean of its seeds.',
    heatHint:
      'Hover or focus a cell to read it; click it (or press Enter) to open its run in the builder above. Arrow keys move between cells.',
    heatFailed: 'some runs did not finish',
    heatScroll: 'The map is wider than the screen: swipe it sideways for the other columns →',
    kneeAt2:
      'Knee: {param} = {value} with {param2} = {value2}, the first cell (fewest of the first, then of the second) within 5% of the best throughput.',
    point2:
      '{param} = {value}, {param2} = {value2}: throughput {throughput}/s ({min}–{max}), p95 {p95} ms, peak memory {memory} MiB, busiest stage {util}%, {runs} {runWord}.',
    downloadCsv: 'Download CSV',
    downloadJson: 'Download JSON',
    badNumber: '“{text}” is not a number.',
    noRange: 'Give from, to and a step above 0, or a list of values.',
    tooManyValues: '{count} values: at most {max} a sweep.',
    notInBuilder:
      '{param}: {value} is outside what the builder takes ({low} to {high}); every point of a sweep must open as a run there.',
    notWhole: '{value} is not a whole number; {param} takes whole numbers.',
    linkParam:
      'The link asks for a sweep of {param}, which a pipeline of {stages} stages does not have.',
    refused: 'The sweep was refused: {message}',
    workerFailed: 'A sweep worker failed: {message}',
    poolFailed:
      'The rayon pool could not run the sweep ({message}); it goes on in Web Workers, one a core.',
  },
  ko: {
    title: '매개변수 스윕',
    intro:
      '파이프라인 빌더의 설정에서 매개변수 하나를 범위에 걸쳐 바꾸며, 값마다 여러 시드로 모든 코어에서(페이지의 스레드 밖에서) 모델 엔진을 실행하고 곡선을 그립니다.',
    param: '매개변수',
    paramMaxsizeAll: '모든 큐의 maxsize',
    paramMaxsize: '{stage} 단계 입력 큐의 maxsize',
    paramWorkers: '{stage} 단계 작업자 수',
    paramService: '{stage} 단계 평균 서비스 시간 (ms)',
    paramRate: '도착률 (아이템/초)',
    paramItems: '아이템 수',
    from: '시작',
    to: '끝',
    step: '간격',
    list: '또는 목록',
    listHint: '1, 2, 4, 8',
    listTitle: '쉼표로 나눈 값들. 목록이 있으면 시작/끝/간격 대신 씁니다.',
    reps: '값마다 시드 수',
    base: '기준: 빌더의 {stages}단계, 작업자 {workers}, maxsize {maxsize}, 서비스 {service} ms ({dist}), 아이템 {items}개, {arrival}, 시드 {seed}.',
    plotsBase:
      '이 스윕 뒤로 슬라이더가 바뀌었습니다. 아래 그래프는 이전 설정으로 실행한 것입니다. {base}',
    allAtOnce: '한꺼번에',
    perSecond: '초당 {rate}',
    start: '스윕 실행',
    cancel: '취소',
    progress: '{total}회 중 {done}회',
    running: '{how}에서 {total}회 중 {done}회…',
    finished: '{how}에서 {total}회 실행, {seconds}초.',
    howPool: 'rayon 풀의 스레드 {n}개',
    howPoolOne: 'rayon 풀의 스레드 1개',
    howWorkers: '웹 워커 {n}개',
    howWorkersOne: '웹 워커 1개',
    cancelled: '{total}회 중 {done}회 뒤 취소했습니다. 스윕의 스레드는 모두 멈췄습니다.',
    cancelledPartial:
      '{total}회 중 {done}회 뒤 취소했습니다. 스윕의 스레드는 모두 멈췄습니다. 모든 시드가 끝난 값 {values}개만 보여 줍니다.',
    failedRuns: '{total}회 중 {failed}회가 끝나지 못했습니다 (멈춤 또는 MemoryError).',
    chartThroughput: '처리량 (아이템/초)',
    chartLatency: '지연 시간 (ms)',
    chartMemory: '큐에 쌓인 최대 메모리 ({unit})',
    chartUtil: '가장 바쁜 단계의 가동률',
    mean: '시드 평균 (지연 시간은 p50)',
    spread: '시드별 최소–최대',
    bound: '용량 한계',
    p50: 'p50',
    p95: '지연 시간 p95',
    knee: '무릎점',
    kneeAt: '무릎점: {param} = {value}, 최고 처리량의 95%에 처음 닿는 값.',
    noKnee: '무릎점 없음: 어떤 실행도 아이템을 처리하지 못했습니다.',
    risingAt:
      '범위 안에 무릎점이 없습니다: 스윕한 가장 큰 값인 {param} = {value}에서도 처리량이 아직 오르고 있습니다(최고 처리량의 95%에 처음 닿는 값). 더 큰 값으로 스윕해 보세요.',
    risingAt2:
      '범위 안에 무릎점이 없습니다: 최고 처리량의 95%에 처음 닿는 칸({param} = {value}, {param2} = {value2})이 스윕한 범위의 맨 끝이라 처리량이 아직 오르고 있습니다. 더 큰 값으로 스윕해 보세요.',
    shortMaxsizeAll: 'maxsize',
    shortMaxsize: '{stage} maxsize',
    shortWorkers: '{stage} 작업자',
    shortService: '{stage} ms',
    shortRate: '도착률',
    shortItems: '아이템 수',
    clickHint: '점을 누르면 그 실행(첫 시드)이 위의 빌더에서 열립니다.',
    tapHint:
      '점을 한 번 누르면 아래에 값이 나오고, 다시 누르면 그 실행(첫 시드)이 위의 빌더에서 열립니다.',
    keysHint: '← →로 점을 고르고 Enter로 그 실행을 엽니다.',
    runOne: '회',
    runMany: '회',
    point:
      '{param} = {value}: 처리량 초당 {throughput} ({min}–{max}), p95 {p95} ms, {runs}{runWord}.',
    openSeed: '시드 {seed}',
    openRuns: '실행 열기:',
    uniformNote:
      '(균등 분포 서비스 시간에서 스윕은 기준의 폭을 각 평균 둘레에 그대로 두지만, 빌더는 ±50%로 퍼뜨리므로 열리는 실행은 다릅니다.)',
    param2: '두 번째 매개변수 (히트맵)',
    param2None: '없음: 매개변수 하나, 곡선',
    list2: '그 값들',
    list2Hint: '1, 2, 5, 10, 0',
    list2Title:
      '두 번째 매개변수의 값들을 쉼표로 나눕니다. 첫 번째의 모든 값을 이 값들 하나하나와 함께 실행해(격자) 히트맵으로 그립니다.',
    noValues2: '두 번째 매개변수에 값 목록을 주세요.',
    heatFigure: '색으로 나타낼 값',
    heatP95: '지연 시간 p95 (ms)',
    heatMemory: '큐에 쌓인 최대 메모리 (MiB)',
    heatCaption: '{figure}: 세로는 {rows}, 가로는 {columns}. 칸마다 시드들의 평균입니다.',
    heatHint:
      '칸에 마우스를 올리거나 초점을 두면 값을 읽을 수 있고, 누르면(또는 Enter) 그 실행이 위의 빌더에서 열립니다. 화살표 키로 칸 사이를 옮겨 다닙니다.',
    heatFailed: '끝나지 못한 실행이 있음',
    heatScroll: '표가 화면보다 넓습니다. 옆으로 밀면 나머지 열이 보입니다 →',
    kneeAt2:
      '무릎점: {param} = {value}, {param2} = {value2}. 최고 처리량의 95%에 처음 닿는 칸입니다(첫 번째 값이 가장 작은 것부터, 그다음 두 번째 값 순서).',
    point2:
      '{param} = {value}, {param2} = {value2}: 처리량 초당 {throughput} ({min}–{max}), p95 {p95} ms, 최대 메모리 {memory} MiB, 가장 바쁜 단계 {util}%, {runs}{runWord}.',
    downloadCsv: 'CSV 내려받기',
    downloadJson: 'JSON 내려받기',
    badNumber: '숫자가 아닌 값입니다: “{text}”',
    noRange: '시작, 끝, 0보다 큰 간격을 주거나 값 목록을 주세요.',
    tooManyValues: '값 {count}개: 스윕 하나에 최대 {max}개입니다.',
    notInBuilder:
      '{param}: 값 {value}은(는) 빌더가 받는 범위({low}–{high}) 밖입니다. 스윕의 모든 점은 빌더에서 실행으로 열 수 있어야 합니다.',
    notWhole: '값 {value}: 정수가 아닙니다. {param}에는 정수만 넣을 수 있습니다.',
    linkParam:
      '링크가 {param} 스윕을 요청했지만 {stages}단계 파이프라인에는 그런 매개변수가 없습니다.',
    refused: '스윕을 시작할 수 없습니다: {message}',
    workerFailed: '스윕의 웹 워커가 실패했습니다: {message}',
    poolFailed:
      'rayon 풀에서 스윕을 실행하지 못했습니다({message}). 코어마다 웹 워커 하나씩 두고 이어서 실행합니다.',
  },
};

/** The sweep string `key` in `lang` (English when missing) with `{name}` filled from `vars`. */
export function ts(lang, key, vars) {
  const text = STRINGS[lang]?.[key] ?? STRINGS.en[key] ?? key;
  if (!vars) return text;
  return text.replace(/\{(\w+)\}/g, (m, name) =>
    vars[name] !== undefined ? String(vars[name]) : m,
  );
}
