import { PolymodalError } from '@polymodal/core';

/**
 * The CLI's optional packages (the report, tune, serve, the exporters, the native backend) are imported only by
 * the commands that need them, so the CLI works without them. Only the package itself missing means "not
 * installed": one whose own dependency is missing is broken, and that error is passed on as it is.
 */
export function isPackageMissing(error: unknown, name: string): boolean {
  const { code, message } = error as NodeJS.ErrnoException;
  return code === 'ERR_MODULE_NOT_FOUND' && String(message).includes(`Cannot find package '${name}'`);
}

/**
 * Imports `name`, or undefined when it is not installed (a feature that is used only when present). A package whose
 * own dependency is missing is broken, and that error is passed on.
 */
export async function importIfInstalled<T>(name: string): Promise<T | undefined> {
  try {
    return (await import(name)) as T;
  } catch (error) {
    if (isPackageMissing(error, name)) return undefined;
    throw error;
  }
}

/** Imports `name`, or fails as a user error: "`what` needs the package `name`, which is not installed", with the install line. */
export async function importOptionalPackage<T>(name: string, what: string): Promise<T> {
  try {
    return (await import(name)) as T;
  } catch (error) {
    if (isPackageMissing(error, name)) {
      throw new PolymodalError(`${what} needs the package ${name}, which is not installed`, { hint: `Run \`npm install ${name}\`.`, exitCode: 2 });
    }
    throw error;
  }
}
