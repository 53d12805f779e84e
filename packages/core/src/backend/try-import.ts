/**
 * Imports an optional peer by name: the module, undefined when it is not installed, or the Error when it is
 * installed but cannot load (missing libtensorflow, wrong CUDA, a broken install). The specifier is a variable
 * on purpose: core must not depend on these packages at build time.
 */
export async function tryImport(specifier: string): Promise<unknown | undefined> {
  try {
    return await import(specifier);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') return undefined;
    return error instanceof Error ? error : new Error(String(error));
  }
}
