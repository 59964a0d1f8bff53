export declare const KAFKA_SUPER_USER: string;
export declare const KAFKA_APP_PRINCIPALS: Record<string, string>;
export declare const KAFKA_USERS: string[];
export declare const KAFKA_SASL_MECHANISM: 'scram-sha-512';
export declare function kafkaDevPassword(user: string): string;
export declare function kafkaClientEnv(user: string): Record<string, string>;
export declare function kafkaAppEnv(app: string): Record<string, string>;
export declare function kafkaSasl<M extends 'plain' | 'scram-sha-256' | 'scram-sha-512' = 'scram-sha-512'>(
  user?: string,
  mechanism?: M,
): { mechanism: M; username: string; password: string };
