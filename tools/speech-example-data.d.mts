export declare function speechExampleData(): { skip?: string };
