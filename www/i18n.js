// Interface strings in English and Korean, and the helpers that put them on the page.
// Console lines are not here: the engine prints them in the chosen language itself.

export const LANGUAGES = ['en', 'ko'];

const STRINGS = {
  en: {
    title: 'Pipeline Lab',
    tagline: 'Threads and queues at work: Effective Python, Item 55.',
    language: 'Language',
    preset: 'Program',
    speed: 'Speed',
    run: 'Run',
    pause: 'Pause',
    runAgain: 'Run again',
    reset: 'Reset',
    status: 'Status',
    itemsDone: 'Items done',
    virtualTime: 'Virtual time',
    throughput: 'Throughput',
    console: 'Console',
    loading: 'Loading…',
    'status.ready': 'ready',
    'status.paused': 'paused',
    'status.running': 'running',
    'status.finished': 'finished',
    'status.hang': 'hang',
    'status.memory_error': 'memory_error',
    itemsPerSecond: 'items/s',
    seconds: 's',
    loadFailed: 'Could not start the WebAssembly engine in pkg/st/ (`npm start` builds it):',
  },
  ko: {
    title: '파이프라인 랩',
    tagline: '스레드와 큐가 일하는 모습: 이펙티브 파이썬, 아이템 55.',
    language: '언어',
    preset: '프로그램',
    speed: '속도',
    run: '실행',
    pause: '일시 정지',
    runAgain: '다시 실행',
    reset: '초기화',
    status: '상태',
    itemsDone: '처리한 아이템',
    virtualTime: '가상 시간',
    throughput: '처리량',
    console: '콘솔',
    loading: '불러오는 중…',
    'status.ready': '준비',
    'status.paused': '일시 정지',
    'status.running': '실행 중',
    'status.finished': '완료',
    'status.hang': '멈춤 (hang)',
    'status.memory_error': '메모리 부족 (MemoryError)',
    itemsPerSecond: '개/초',
    seconds: '초',
    loadFailed: 'pkg/st/의 WebAssembly 엔진을 시작하지 못했습니다 (`npm start`로 빌드하세요):',
  },
};

/** The string for `key` in `lang`, falling back to English, then to the key itself. */
export function t(lang, key) {
  return STRINGS[lang]?.[key] ?? STRINGS.en[key] ?? key;
}

/** A `{en, ko}` text from the engine (preset titles, summaries) in `lang`. */
export function pick(localized, lang) {
  if (typeof localized === 'string') return localized;
  return localized?.[lang] ?? localized?.en ?? '';
}

/** Korean when the browser prefers it, English otherwise. */
export function preferredLanguage(navigatorLanguages = globalThis.navigator?.languages ?? []) {
  return navigatorLanguages.some((l) => l.toLowerCase().startsWith('ko')) ? 'ko' : 'en';
}

/** Fills every `[data-i18n]` element with its string and sets the document language. */
export function applyStrings(doc, lang) {
  doc.documentElement.lang = lang;
  for (const el of doc.querySelectorAll('[data-i18n]')) {
    el.textContent = t(lang, el.dataset.i18n);
  }
  doc.title = t(lang, 'title');
}
