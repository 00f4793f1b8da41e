/** Major and minor numbers of a Linux dev_t (glibc's encoding; 64-bit, so BigInt: JS shifts are 32-bit). */
export function major(rdev: number): number {
  return Number(((BigInt(rdev) >> 8n) & 0xfffn) | ((BigInt(rdev) >> 32n) & ~0xfffn));
}

export function minor(rdev: number): number {
  return Number((BigInt(rdev) & 0xffn) | ((BigInt(rdev) >> 12n) & ~0xffn));
}
