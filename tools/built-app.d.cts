import type * as KafkaPrincipals from './stack/lib/kafka-principals.cjs';

export interface BuiltApp {
  name: string;
  url: string;
  /** The management listener: GET /metrics and GET /health/ready with each dependency's state. */
  managementUrl: string;
  logFile: string;
  stop(): Promise<void>;
  kill(signal?: NodeJS.Signals): boolean;
  /** Resolves when the process has exited. */
  exited: Promise<void>;
  /** Resolves when the log contains `text` (e.g. the lifecycle consumer joined its group). */
  waitForLog(text: string, timeoutMs?: number): Promise<void>;
}

export declare const ROOT: string;
export declare function freePort(): Promise<number>;
export declare function portAnswers(port: number): Promise<boolean>;
export declare function tail(file: string, lines?: number): string;
export declare function uniqueDatabase(prefix: string): string;
export declare function startBuiltApp(
  name: string,
  options?: { env?: Record<string, string>; logDir?: string; nodeArgs?: string[] },
): Promise<BuiltApp>;

/** The stack broker's users and their development passwords (tools/stack/lib/kafka-principals.cjs). */
export declare const kafkaPrincipals: typeof KafkaPrincipals;
