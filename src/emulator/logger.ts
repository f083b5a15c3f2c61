const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** One line per event on stderr, prefixed `[emulator]`; `silent` logs nothing, an unknown level means info. */
export function createLogger(level = 'info'): Logger {
  const known = LEVELS.indexOf(level as (typeof LEVELS)[number]);
  const threshold = level === 'silent' ? Infinity : known < 0 ? LEVELS.indexOf('info') : known;
  const at = (name: (typeof LEVELS)[number]) => (message: string) => {
    if (LEVELS.indexOf(name) >= threshold) process.stderr.write(`[emulator] ${name}: ${message}\n`);
  };
  return { info: at('info'), warn: at('warn'), error: at('error') };
}
