import { propertiesSize, writeProperties, type BasicProperties } from '../protocol/generated/properties.js';

/** Builds a content-header payload (class 60) for rewritten properties. */
export function encodeHeaderWithProperties(bodySize: number, properties: BasicProperties): Buffer {
  const buf = Buffer.allocUnsafe(12 + propertiesSize(properties));
  buf.writeUInt16BE(60, 0);
  buf.writeUInt16BE(0, 2);
  buf.writeUInt32BE(Math.floor(bodySize / 0x100000000), 4);
  buf.writeUInt32BE(bodySize >>> 0, 8);
  writeProperties(buf, 12, properties);
  return buf;
}
