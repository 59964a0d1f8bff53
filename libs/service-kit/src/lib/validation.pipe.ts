import { BadRequestException, ValidationPipe, type ValidationError } from '@nestjs/common';
import { DomainErrorCode } from '@rs/key-domain';

function firstProblem(errors: ValidationError[], path = ''): { parameter: string; message: string } | undefined {
  for (const error of errors) {
    const parameter = path ? `${path}.${error.property}` : error.property;
    const constraint = error.constraints && Object.values(error.constraints)[0];
    if (constraint) return { parameter, message: constraint };
    const nested = firstProblem(error.children ?? [], parameter);
    if (nested) return nested;
  }
  return undefined;
}

/**
 * The global pipe: strips nothing silently (unknown parameters are refused), converts types, and answers
 * 400 with `code: INVALID_PARAMETER` and the name of the first bad parameter.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => {
      const problem = firstProblem(errors) ?? { parameter: 'request', message: 'Invalid request' };
      return new BadRequestException({
        code: DomainErrorCode.INVALID_PARAMETER,
        message: problem.message,
        parameter: problem.parameter,
      });
    },
  });
}
