export declare function referenceVenv(): string;
export declare function referencePython(): { python: string; skip?: undefined } | { skip: string; python?: undefined };
export declare function torchPythons(): { pythons: string[]; skipped: string[] };
