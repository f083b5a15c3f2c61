import type { Type } from '@nestjs/common';

/** The product's capability modules, in dependency order. */
export const FEATURE_MODULES: Type[] = [];
