// Compare mode's words in English and Korean (www/compare.js), added to the page's lookup
// (www/i18n.js). It must hold strings only: no formatting, no DOM.

import { registerStrings } from './i18n.js';

registerStrings({
  en: {
    'cmp.open': 'Compare',
    'cmp.openTitle': 'Two runs side by side, under one clock',
    'cmp.title': 'Compare two runs',
    'cmp.intro':
      'Two programs on the same clock: Play, Step and the timeline move both. Each side has its own sliders; the builder sides share their items and seed.',
    'cmp.close': 'Back to one run',
    'cmp.pairs': 'Contrasts from the note',
    'cmp.pairPolling': 'P1 polling vs P5 Queue',
    'cmp.pairPollingTitle':
      'Polls and CPU burnt waiting: a hand-made polling queue against blocking get()',
    'cmp.pairBounded': 'Unbounded vs maxsize 10',
    'cmp.pairBoundedTitle':
      'Memory against throughput and latency: the same pipeline, queues unbounded and bounded',
    'cmp.pairWorkers': 'P5 vs P6 (1 vs 3/4/5 workers)',
    'cmp.pairWorkersTitle': 'One worker a stage against several',
    'cmp.pairFailure': 'Correct vs failure',
    'cmp.pairFailureTitle': 'A correct program against the failure that breaks it',
    'cmp.failureF1': 'P6 vs F1 (one SENTINEL short)',
    'cmp.failureF2': 'P4 vs F2 (forgotten task_done)',
    'cmp.failureF3': 'F3 bounded vs F3 (MemoryError)',
    'cmp.failureF4': 'F4 with bigger queues vs F4 (deadlock)',
    'cmp.failurePick': 'Which failure',
    'cmp.left': 'Left',
    'cmp.right': 'Right',
    'cmp.top': 'Top',
    'cmp.bottom': 'Bottom',
    'cmp.program': 'Program',
    'cmp.sliders': 'Sliders',
    'cmp.restartNote': 'A moved slider starts both runs again from time 0.',
    'cmp.canvas': '{side}: {program}',
    'cmp.modelOnly':
      'Compare mode runs both sides on the model engine (deterministic, one clock); real threads are for a single run.',
    'cmp.play': 'Play both',
    'cmp.pause': 'Pause both',
    'cmp.again': 'Run both again',
    'cmp.step': 'Step both to the next time either run changes',
    'cmp.stepBack': 'Step both back to the previous time either run changed',
    'cmp.reset': 'Reset both',
    'cmp.speed': 'Speed',
    'cmp.scrubber': 'Time of both runs',
    'cmp.at': 't = {t} s',
    'cmp.replaying': 'replaying… {percent}%',
    'cmp.strip': 'Differences',
    'cmp.stripCaption': 'Each figure is from its run’s own stats, at the time shown.',
    'cmp.figure': 'figure',
    'cmp.itemsDone': 'Items done',
    'cmp.status': 'Status',
    'cmp.throughput': 'Throughput',
    'cmp.p95': 'Latency p95',
    'cmp.memory': 'Memory now',
    'cmp.peakMemory': 'Peak memory',
    'cmp.longest': 'Longest queue',
    'cmp.polls': 'Polls',
    'cmp.wastedCpu': 'CPU burnt waiting',
    'cmp.better': 'better',
    'cmp.captionPolling':
      'Look at Polls and CPU burnt waiting: P1’s workers poll a deque and sleep when it is empty, P5’s block in get(). Their stages differ too (P1’s take no time, P5’s 10/20/10 ms), so throughput and latency are not compared.',
    'cmp.captionBounded':
      'Look at Memory now and Peak memory against Throughput and Latency p95: the same builder pipeline (an item weighs 1 MiB, finished items are let go), every queue unbounded in one run and maxsize 10 in the other. Both end at the same time; latency counts from put(), and with maxsize 10 main waits before its put() instead of its items waiting in a queue.',
    'cmp.captionWorkers':
      'Look at Throughput and Latency p95: the same stages (10/20/10 ms), P5 with one worker a stage, P6 with 3, 4 and 5 workers sharing each queue.',
    'cmp.captionF1':
      'Look at Status and Items done: P6 puts one SENTINEL a worker; F1 puts one too few, so a worker never ends and join() hangs. Until then the two runs are the same.',
    'cmp.captionF2':
      'Look at Status and Items done: P4’s consumer calls task_done() for every item; F2’s never does, so join() waits forever.',
    'cmp.captionF3':
      'Look at Status and Items done: the same F3 program, its queues bounded to maxsize 10 in one run and unbounded in the other, where resize_queue grows until a MemoryError.',
    'cmp.captionF4':
      'Look at Status and Items done: the same F4 program, its queues unbounded in one run and as written in the other, where main and the worker wait for each other forever.',
    'cmp.betterRule':
      '“Better” marks only the figures named in bold, where the two differ by more than {percent}%, and never a run that failed.',
    'cmp.betterLeft': 'left is better',
    'cmp.betterRight': 'right is better',
    'cmp.none': '–',
    'cmp.statusRunning': 'running',
    'cmp.statusFinished': 'finished',
    'cmp.statusHang': 'hang',
    // A soft hyphen: in the narrow strip it breaks as Memory-/Error, never inside a word.
    'cmp.statusMemory': 'Memory\u00adError',
    'cmp.refused': '{side}: the engine refused this program: {message}',
    'cmp.ready': 'Both runs at time 0. Press Play.',
    'cmp.linkMoment': 'Both runs opened at the moment the link was made: t = {t} s.',
    'cmp.linkMomentOps':
      'Both runs opened at the link’s time, t = {t} s. The link counted {ops} operations by then and this page counts {now}: the page has changed since the link was made, so the runs may differ from what it showed.',
  },
  ko: {
    'cmp.open': '비교',
    'cmp.openTitle': '두 실행을 나란히, 하나의 시계로',
    'cmp.title': '두 실행 비교',
    'cmp.intro':
      '두 프로그램이 같은 시계로 움직입니다. 재생, 한 단계, 타임라인이 양쪽을 함께 움직입니다. 양쪽마다 슬라이더가 따로 있고, 빌더끼리는 아이템 수와 시드를 함께 씁니다.',
    'cmp.close': '한 실행으로 돌아가기',
    'cmp.pairs': '노트의 대비',
    'cmp.pairPolling': 'P1 폴링 대 P5 Queue',
    'cmp.pairPollingTitle': '폴링 횟수와 기다리며 쓴 CPU: 직접 만든 폴링 큐와 블로킹 get()의 비교',
    'cmp.pairBounded': '무한 큐 대 maxsize 10',
    'cmp.pairBoundedTitle': '메모리 대 처리량과 지연 시간: 같은 파이프라인을 무한 큐와 유한 큐로',
    'cmp.pairWorkers': 'P5 대 P6 (작업자 1개 대 3/4/5개)',
    'cmp.pairWorkersTitle': '단계마다 작업자 하나와 여럿의 비교',
    'cmp.pairFailure': '올바른 프로그램 대 실패',
    'cmp.pairFailureTitle': '올바른 프로그램과 그것을 망가뜨리는 실패의 비교',
    'cmp.failureF1': 'P6 대 F1 (SENTINEL 하나 부족)',
    'cmp.failureF2': 'P4 대 F2 (빠뜨린 task_done)',
    'cmp.failureF3': '유한 큐 F3 대 F3 (MemoryError)',
    'cmp.failureF4': '큐를 키운 F4 대 F4 (교착 상태)',
    'cmp.failurePick': '어떤 실패',
    'cmp.left': '왼쪽',
    'cmp.right': '오른쪽',
    'cmp.top': '위',
    'cmp.bottom': '아래',
    'cmp.program': '프로그램',
    'cmp.sliders': '슬라이더',
    'cmp.restartNote': '슬라이더를 옮기면 두 실행이 모두 시간 0부터 다시 시작합니다.',
    'cmp.canvas': '{side}: {program}',
    'cmp.modelOnly':
      '비교 모드는 양쪽을 모두 모델 엔진으로 실행합니다(결정적이며 시계가 하나). 실제 스레드는 실행 하나를 볼 때 씁니다.',
    'cmp.play': '둘 다 재생',
    'cmp.pause': '둘 다 일시 정지',
    'cmp.again': '둘 다 다시 실행',
    'cmp.step': '어느 한쪽이 바뀌는 다음 시각까지 둘 다 진행',
    'cmp.stepBack': '어느 한쪽이 바뀌었던 바로 앞 시각으로 둘 다 되돌리기',
    'cmp.reset': '둘 다 처음으로',
    'cmp.speed': '속도',
    'cmp.scrubber': '두 실행의 시간',
    'cmp.at': 't = {t}초',
    'cmp.replaying': '다시 실행하는 중… {percent}%',
    'cmp.strip': '차이',
    'cmp.stripCaption': '모든 수치는 표시된 시각에 각 실행의 통계에서 가져옵니다.',
    'cmp.figure': '수치',
    'cmp.itemsDone': '처리한 아이템',
    'cmp.status': '상태',
    'cmp.throughput': '처리량',
    'cmp.p95': '지연 시간 p95',
    'cmp.memory': '현재 메모리',
    'cmp.peakMemory': '최대 메모리',
    'cmp.longest': '가장 길었던 큐',
    'cmp.polls': '폴링 횟수',
    'cmp.wastedCpu': '기다리며 쓴 CPU',
    'cmp.better': '더 좋음',
    'cmp.captionPolling':
      '폴링 횟수와 기다리며 쓴 CPU를 보세요. P1의 작업자는 deque를 폴링하다 비어 있으면 잠들고, P5의 작업자는 get()에서 블록됩니다. 단계의 작업 시간도 달라서(P1은 0, P5는 10/20/10 ms) 처리량과 지연 시간은 비교하지 않습니다.',
    'cmp.captionBounded':
      '현재 메모리와 최대 메모리를 처리량, 지연 시간 p95와 견주어 보세요. 같은 빌더 파이프라인(아이템 하나에 1 MiB, 끝난 아이템은 내보냄)인데, 한쪽은 모든 큐가 무한이고 다른 쪽은 maxsize 10입니다. 두 실행은 같은 때에 끝납니다. 지연 시간은 put()부터 세므로, maxsize 10에서는 아이템이 큐에서 기다리는 대신 main이 put() 앞에서 기다립니다.',
    'cmp.captionWorkers':
      '처리량과 지연 시간 p95를 보세요. 단계(10/20/10 ms)는 같고, P5는 단계마다 작업자 1개, P6은 작업자 3, 4, 5개가 각 큐를 나눠 씁니다.',
    'cmp.captionF1':
      '상태와 처리한 아이템을 보세요. P6은 작업자마다 SENTINEL을 하나씩 넣고, F1은 하나 적게 넣어서 한 작업자가 끝나지 않고 join()이 멈춥니다. 그 전까지 두 실행은 똑같습니다.',
    'cmp.captionF2':
      '상태와 처리한 아이템을 보세요. P4의 소비자는 아이템마다 task_done()을 호출하지만, F2의 소비자는 호출하지 않아서 join()이 영원히 기다립니다.',
    'cmp.captionF3':
      '상태와 처리한 아이템을 보세요. 같은 F3 프로그램인데, 한쪽은 큐를 maxsize 10으로 제한하고 다른 쪽은 무한이라서 resize_queue가 MemoryError가 날 때까지 커집니다.',
    'cmp.captionF4':
      '상태와 처리한 아이템을 보세요. 같은 F4 프로그램인데, 한쪽은 큐가 무한이고 다른 쪽은 원래대로라서 메인과 작업자가 서로를 영원히 기다립니다.',
    'cmp.betterRule':
      '‘더 좋음’은 이름이 굵게 쓰인 수치에만, 두 값이 {percent}%보다 더 차이 날 때만 표시하며, 실패한 실행에는 표시하지 않습니다.',
    'cmp.betterLeft': '왼쪽이 더 좋음',
    'cmp.betterRight': '오른쪽이 더 좋음',
    'cmp.none': '–',
    'cmp.statusRunning': '실행 중',
    'cmp.statusFinished': '끝남',
    'cmp.statusHang': '멈춤(hang)',
    // A soft hyphen: in the narrow strip it breaks as Memory-/Error, never inside a word.
    'cmp.statusMemory': 'Memory\u00adError',
    'cmp.refused': '{side}: 엔진이 이 프로그램을 거부했습니다: {message}',
    'cmp.ready': '두 실행 모두 시간 0입니다. 재생을 누르세요.',
    'cmp.linkMoment': '링크를 만든 순간에서 두 실행을 열었습니다: t = {t}초.',
    'cmp.linkMomentOps':
      '두 실행을 링크의 시각 t = {t}초에서 열었습니다. 링크는 그때까지 연산을 {ops}번으로 세었는데 이 페이지는 {now}번으로 셉니다. 링크를 만든 뒤 페이지가 바뀌어서, 링크가 보여 주던 모습과 다를 수 있습니다.',
  },
});
