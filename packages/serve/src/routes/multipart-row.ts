import type { FastifyRequest } from 'fastify';
import type { PredictorCell, PredictorColumn } from '@polymodal/core';
import { HttpError, pointerOf, type Problem } from '../http-errors.js';

function isFileColumn(column: PredictorColumn): boolean {
  return column.type === 'image' || column.type === 'audio';
}

/**
 * One row from a multipart/form-data body: a field per column (text), a file part per image or audio column
 * (bytes). Every part is read to its end, so the answer names all problems and the connection stays usable.
 */
export async function multipartRow(request: FastifyRequest, columns: readonly PredictorColumn[], idColumn: string | undefined, fileBytes: number): Promise<Record<string, PredictorCell>> {
  const byName = new Map(columns.map((column) => [column.name, column]));
  const fileColumns = columns.filter(isFileColumn).length;
  const row: Record<string, PredictorCell> = Object.create(null);
  const problems: Problem[] = [];
  try {
    const parts = request.parts({ limits: { fileSize: fileBytes, files: Math.max(fileColumns, 1), fields: columns.length + 1, parts: columns.length + 1 } });
    for await (const part of parts) {
      const name = part.fieldname;
      const column = byName.get(name);
      const pointer = pointerOf(name);
      if (Object.hasOwn(row, name)) problems.push({ pointer, message: 'given twice' });
      if (part.type === 'file') {
        const bytes = await part.toBuffer();
        if (!column || !isFileColumn(column)) problems.push({ pointer, message: column ? `a file, but the column holds ${column.type === 'number' ? 'numbers' : 'text'}` : 'not a file column of the model' });
        else row[name] = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        continue;
      }
      if (!column && name !== idColumn) problems.push({ pointer, message: `not a column the model reads (it reads: ${columns.map((c) => c.name).join(', ')})` });
      else row[name] = String(part.value);
    }
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 413) throw error;
    throw new HttpError(400, 'bad_request', `malformed multipart/form-data body: ${(error as Error).message}`);
  }
  if (problems.length > 0) throw new HttpError(400, 'validation', 'the form does not match the model\'s inputs', problems);
  return row;
}
