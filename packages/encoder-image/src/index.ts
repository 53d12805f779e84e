// The image encoder plugin is being written; this entry exists so the workspace builds meanwhile.
export {};
