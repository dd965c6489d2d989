// Types of ./hash-task.mjs, so cmd-server.ts can type the task with `typeof import(...)`.
export declare function sha1File(path: string): string;
