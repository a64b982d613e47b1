/** Integers from their decimal text; anything else is left for the validator to refuse. */
export const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
/** true/false from 1/0, true/false, yes/no, on/off; anything else is left to be refused. */
export const toBool = ({ value }: { value: unknown }): unknown => {
  if (typeof value !== 'string') return value;
  const v = value.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  return value;
};

const BYTE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };
/** A byte size as an integer or with a unit: "65536", "64kb", "64mb", "1gb" (powers of 1024). */
export const toBytes = ({ value }: { value: unknown }): unknown => {
  if (typeof value !== 'string') return value;
  const match = /^(\d+)\s*(b|kb|mb|gb)?$/i.exec(value.trim());
  return match ? Number(match[1]) * BYTE_UNITS[(match[2] ?? 'b').toLowerCase()] : value;
};
export const BYTES_MESSAGE = (name: string, range = 'from 1mb to 4gb') => ({
  message: `${name} must be a size such as 16mb, 512kb or a number of bytes, ${range}`,
});
export const toList = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : value;
