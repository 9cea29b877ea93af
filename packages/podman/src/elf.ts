// Tells whether an ELF executable is statically linked (has no PT_INTERP
// program header): a binary copied alone into an empty root filesystem only
// runs when it needs no dynamic loader. Pure: bytes in, answer out.

const PT_INTERP = 3;

export class ElfError extends Error {}

export function isStaticElf(bytes: Buffer, what = 'binary'): boolean {
  if (bytes.length < 52 || bytes.readUInt32BE(0) !== 0x7f454c46)
    throw new ElfError(`${what} is not an ELF executable`);
  const is64 = bytes[4] === 2;
  const little = bytes[5] === 1;
  const u16 = (o: number) => (little ? bytes.readUInt16LE(o) : bytes.readUInt16BE(o));
  const u32 = (o: number) => (little ? bytes.readUInt32LE(o) : bytes.readUInt32BE(o));
  const phoff = is64 ? Number(little ? bytes.readBigUInt64LE(32) : bytes.readBigUInt64BE(32)) : u32(28);
  const phentsize = u16(is64 ? 54 : 42);
  const phnum = u16(is64 ? 56 : 44);
  if (phoff + phentsize * phnum > bytes.length)
    throw new ElfError(`${what} has a truncated program header table`);
  for (let i = 0; i < phnum; i++) {
    if (u32(phoff + i * phentsize) === PT_INTERP) return false;
  }
  return true;
}
