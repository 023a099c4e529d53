// The words of the page's figures in English and Korean: undefined rates, the capacity bound,
// the memory budget queue by queue, the builder's sink, real threads against the model, the help.

import { registerStrings } from './i18n.js';

registerStrings({
  en: {
    rateUndefined: 'no virtual time has passed yet: a rate over 0 s is undefined',
    rateUndefinedEnded:
      'the whole run took no virtual time (its operations take none): a rate over 0 s is undefined',
    boundTitle:
      'Capacity bound: the least workers ÷ mean service time over the stages. No long-run mean throughput can exceed it; a finite run can, by chance, when its service times drew short.',
    boundExceeded:
      '(this run is above it so far: a finite run can be, when its service times drew short or its workers changed)',
    colBytes: 'memory',
    memoryNone: '– (no memory budget)',
    memoryDoneShare: '{queue} keeps every finished item: {bytes} of it',
    memoryPeak: 'peak {bytes}',
    latencyAtGet: 'done at get() here (no done queue); the work after it is W in the stage table',
    memoryErrorParts: 'The budget counted {parts} = {total}.',
    memoryErrorDone:
      '{queue} keeps every finished item, as the note’s program does; bounded queues cannot stop that. Count the results and let them go (the builder’s “Finished items”) and a bounded pipeline stays within its budget.',
    sink: 'Finished items',
    'setting.sink': 'What becomes of finished items',
    sinkKeep: 'keep in done_queue',
    sinkCount: 'count and let go',
    sinkHint:
      'Kept items stay in memory until the end and count against the memory budget; counted ones are let go.',
    liveNoteTitle: 'Real threads, not the model',
    liveStepSlice: 'a fixed slice',
    liveNote:
      'On real threads (Web Workers) a run differs from the model: the order of operations changes from run to run; service times are waited out on a clock, so threads finish late by scheduling delays and the figures (time, throughput, latency) come out different from the model’s; there is no step back; Step advances time by {step}, not one operation. The stats mean the same things and use the same units on both engines.',
    refusedFellBack:
      'The link asked for {what}, which cannot run here. {reason} This page shows {program} instead.',
    refusedOnThreads: '{program} on real threads',
    refusedOnModel: '{program} on the model engine',
    helpNumbersTitle: 'What the numbers mean',
    helpItemsDone:
      'An item counts as done when a thread puts it on done_queue. P2–P4 have no done_queue: there an item is done when the consumer takes it off the queue with get(), before its own work on it ends.',
    helpThroughput:
      'Items done ÷ virtual time elapsed since t = 0, on the panel and on the chart alike. At t = 0, or when a whole run takes no virtual time (P2), it is “—”: a rate over no time is undefined.',
    helpLatency:
      'For each done item, the virtual time from its put(object()) to the moment it was done; p50, p95 and p99 are its percentiles over the items done so far.',
    helpBound:
      'The least workers ÷ mean service time over the stages (c ÷ s). Every item passes every stage, so the long-run mean throughput cannot exceed it, whatever the distribution of service times. It bounds the mean rate as the run grows, not a finite run: a run of n items can exceed it by chance, by about cv ÷ √n (cv = 1 for exponential service, 0 for constant), when its service times drew shorter than their mean.',
    helpMemory:
      'The items sitting in queues (SENTINELs left out) × the bytes of an item, queue by queue; the total is their sum, and MemoryError is raised when it exceeds the budget. Items a thread holds are not counted. done_queue counts only when the program keeps its results there.',
    helpUtilization:
      'A stage’s workers’ working time ÷ the time they were alive, over the run so far. Little’s law: L, the time-average of items in a stage, equals λ × W, the items that entered per second × their mean time in the stage so far.',
  },
  ko: {
    rateUndefined: '아직 가상 시간이 흐르지 않아 처리량을 정할 수 없습니다.',
    rateUndefinedEnded:
      '연산에 시간이 들지 않아 가상 시간이 흐르지 않았으므로 처리량을 정할 수 없습니다.',
    boundTitle:
      '용량 한계: 단계마다 작업자 수 ÷ 평균 처리 시간을 구해 가장 작은 값입니다. 오래 실행한 평균 처리량은 이 값을 넘을 수 없지만, 짧은 실행은 처리 시간이 우연히 짧게 뽑히면 넘을 수 있습니다.',
    boundExceeded:
      '(지금까지는 이 실행이 한계를 넘었습니다. 처리 시간이 짧게 뽑히거나 작업자 수가 바뀌면 유한한 실행은 넘을 수 있습니다)',
    colBytes: '메모리',
    memoryNone: '– (메모리 한도 없음)',
    memoryDoneShare: '{queue}에 끝난 아이템이 모두 남아 있습니다: {bytes}',
    memoryPeak: '최대 {bytes}',
    latencyAtGet:
      '여기서는 get()에서 끝난 것으로 셉니다(done 큐 없음). 그 뒤의 작업은 단계 표의 W입니다',
    memoryErrorParts: '한도에 센 메모리: {parts} = {total}.',
    memoryErrorDone:
      '{queue}에는 노트의 프로그램처럼 끝난 아이템이 모두 남습니다. 큐에 크기 제한을 두어도 이것은 막을 수 없습니다. 결과를 세기만 하고 버리면(빌더의 “끝난 아이템”) 크기 제한이 있는 파이프라인은 한도 안에 머뭅니다.',
    sink: '끝난 아이템',
    'setting.sink': '끝난 아이템 처리 방식은',
    sinkKeep: 'done_queue에 보관',
    sinkCount: '세고 버리기',
    sinkHint:
      '보관한 아이템은 끝날 때까지 메모리에 남아 메모리 한도에 포함되고, 센 아이템은 바로 버립니다.',
    liveNoteTitle: '모델이 아닌 실제 스레드',
    liveStepSlice: '일정한 만큼',
    liveNote:
      '실제 스레드(Web Worker)에서 실행하면 모델과 다릅니다. 연산 순서가 실행할 때마다 바뀌고, 처리 시간을 실제 시계로 기다리므로 스케줄링 지연만큼 늦게 끝나 시간, 처리량, 지연 시간이 모델과 다르게 나옵니다. 한 단계 뒤로 가기는 없고, 한 단계 실행은 연산 하나가 아니라 시간을 {step} 진행합니다. 통계는 두 엔진에서 같은 뜻과 같은 단위를 씁니다.',
    refusedFellBack:
      '링크가 요청한 것({what})은 여기서 실행할 수 없습니다. {reason} 대신 다음 프로그램을 보여 줍니다: {program}.',
    refusedOnThreads: '실제 스레드에서 실행하는 {program}',
    refusedOnModel: '모델 엔진에서 실행하는 {program}',
    helpNumbersTitle: '숫자의 뜻',
    helpItemsDone:
      '스레드가 아이템을 done_queue에 넣으면 처리한 것으로 셉니다. P2–P4에는 done_queue가 없으므로, 소비자가 get()으로 큐에서 꺼낸 순간 처리한 것으로 셉니다. 그 아이템에 대한 소비자의 작업이 끝나기 전입니다.',
    helpThroughput:
      '처리한 아이템 수 ÷ t = 0부터 흐른 가상 시간입니다. 패널과 차트가 같은 정의를 씁니다. t = 0이거나 실행 전체에 가상 시간이 흐르지 않으면(P2) “—”로 표시합니다. 시간이 흐르지 않았으니 처리량을 정할 수 없기 때문입니다.',
    helpLatency:
      '처리한 아이템마다 put(object())부터 처리될 때까지 흐른 가상 시간입니다. p50, p95, p99는 지금까지 처리한 아이템에 대한 백분위수입니다.',
    helpBound:
      '단계마다 작업자 수 ÷ 평균 처리 시간(c ÷ s)을 구해 가장 작은 값입니다. 모든 아이템이 모든 단계를 거치므로, 처리 시간의 분포가 어떻든 오래 실행한 평균 처리량은 이 값을 넘을 수 없습니다. 실행이 길어질 때의 평균에 대한 한계이지 유한한 실행에 대한 한계는 아닙니다. 아이템 n개를 처리한 실행은 처리 시간이 평균보다 짧게 뽑히면 대략 cv ÷ √n만큼 넘을 수 있습니다(cv는 지수 분포에서 1, 고정 시간에서 0).',
    helpMemory:
      '큐마다 쌓여 있는 아이템 수(센티넬 제외) × 아이템 하나의 바이트 수이고, 합계는 큐별 값을 더한 것입니다. 합계가 한도를 넘으면 MemoryError가 발생합니다. 스레드가 들고 있는 아이템은 세지 않습니다. done_queue는 프로그램이 결과를 거기에 보관할 때만 셉니다.',
    helpUtilization:
      '지금까지 단계의 작업자들이 일한 시간 ÷ 살아 있던 시간입니다. 리틀의 법칙: 단계 안에 있는 아이템 수의 시간 평균 L은 초당 들어온 아이템 수 λ × 지금까지 단계에 머문 평균 시간 W와 같습니다.',
  },
});
