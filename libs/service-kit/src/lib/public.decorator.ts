import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC_KEY = 'rs:isPublic';

/** Marks a route or controller as reachable without credentials (the auth guard denies everything else). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC_KEY, true);
