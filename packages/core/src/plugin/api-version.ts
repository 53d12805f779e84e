/** Bumped when the plugin contracts change incompatibly; plugins record the version they were built against. */
export const API_VERSION = 1;
