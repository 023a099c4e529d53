// The thread timelines' and the exports' words in English and Korean, added to the page's lookup
// (www/i18n.js). It must hold strings only: no formatting, no DOM.

import { registerStrings } from './i18n.js';

registerStrings({
  en: {
    'tl.title': 'Threads over time',
    'tl.canvasLabel':
      'Thread timelines: one lane per thread over virtual time, coloured by state. Arrow keys move between stretches and threads; Enter goes there.',
    'tl.modelOnly':
      "Timelines need the model engine's replay: real threads run as they run and cannot be replayed. Pick the model engine to see them.",
    'tl.recording': 'Recording the run…',
    'tl.failed': 'The timeline could not be recorded: {message}',
    'tl.cut': 'Recorded up to {t} (the first {events} moments).',
    'tl.hint': 'Hover or focus a stretch to read it; click it to go there.',
    'tl.span': '{thread}: {state} at line {line}, {from}–{to}',
    'tl.spanNoLine': '{thread}: {state}, {from}–{to}',
    'tl.queueAt': '{queue}: qsize() {len} at {t}',
    'tl.queues': 'qsize()',
    'tl.exports': 'Download',
    'tl.exportTrace': 'Perfetto trace (JSON)',
    'tl.exportTraceTitle': 'Chrome/Perfetto trace: open it in ui.perfetto.dev or chrome://tracing',
    'tl.exportCsv': 'Stats over time (CSV)',
    'tl.exportStats': 'Final stats (JSON)',
    'tl.exportPng': 'Canvas (PNG)',
    'tl.exportWebm': 'Record a clip (WebM)',
    'tl.exportWebmStop': 'Stop and save the clip',
    'tl.exportWebmUnavailable': 'This browser cannot record the canvas as video (MediaRecorder).',
    'tl.exportNoTrace': 'The trace comes from the model engine’s recording.',
    'tl.downloaded': 'Downloaded {file}.',
  },
  ko: {
    'tl.title': '시간에 따른 스레드',
    'tl.canvasLabel':
      '스레드 타임라인: 스레드마다 한 줄, 가상 시간에 따라 상태별 색으로 표시합니다. 화살표 키로 구간과 스레드를 옮기고, Enter로 그 시점으로 갑니다.',
    'tl.modelOnly':
      '타임라인은 모델 엔진의 재실행이 필요합니다. 실제 스레드는 돌아가는 대로 돌아가서 다시 재생할 수 없습니다. 보려면 모델 엔진을 고르세요.',
    'tl.recording': '실행을 기록하는 중…',
    'tl.failed': '타임라인을 기록하지 못했습니다: {message}',
    'tl.cut': '{t}까지 기록했습니다(처음 {events}개 시점).',
    'tl.hint': '구간에 마우스를 올리거나 포커스하면 설명이 나오고, 클릭하면 그 시점으로 갑니다.',
    'tl.span': '{thread}: {line}번 줄에서 {state}, {from}–{to}',
    'tl.spanNoLine': '{thread}: {state}, {from}–{to}',
    'tl.queueAt': '{queue}: {t}에 qsize() {len}',
    'tl.queues': 'qsize()',
    'tl.exports': '내려받기',
    'tl.exportTrace': 'Perfetto 트레이스(JSON)',
    'tl.exportTraceTitle':
      'Chrome/Perfetto 트레이스: ui.perfetto.dev나 chrome://tracing에서 엽니다',
    'tl.exportCsv': '시간별 통계(CSV)',
    'tl.exportStats': '최종 통계(JSON)',
    'tl.exportPng': '캔버스(PNG)',
    'tl.exportWebm': '영상 녹화(WebM)',
    'tl.exportWebmStop': '녹화 멈추고 저장',
    'tl.exportWebmUnavailable':
      '이 브라우저는 캔버스를 영상으로 녹화할 수 없습니다(MediaRecorder).',
    'tl.exportNoTrace': '트레이스는 모델 엔진의 기록으로 만듭니다.',
    'tl.downloaded': '{file} 파일을 내려받았습니다.',
  },
});
