import { HttpStatus, Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { ProblemException } from './problem.js';

/** Rejects JSON bodies that are not objects (arrays, strings, null) before field validation. */
@Injectable()
export class JsonObjectBodyPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type !== 'body' || metadata.metatype === undefined) return value;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new ProblemException(HttpStatus.BAD_REQUEST, 'Request body must be a JSON object');
    }
    return value;
  }
}
