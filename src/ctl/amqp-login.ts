/**
 * Checks a user's credentials the way a client logs in: an AMQP 0-9-1 handshake up to
 * connection.tune (login accepted) or connection.close (refused), then a polite close. Used by
 * authenticate_user over the management socket, where the API does no login of its own.
 */
import net from 'node:net';

const PROTOCOL_HEADER = Buffer.from([0x41, 0x4d, 0x51, 0x50, 0, 0, 9, 1]);
const FRAME_METHOD = 1;
const FRAME_END = 0xce;
const CONNECTION = 10;
const START = 10;
const START_OK = 11;
const TUNE = 30;
const TUNE_OK = 31;
const CLOSE = 50;
const CLOSE_OK = 51;

export interface AmqpEndpoint {
  readonly host: string;
  readonly port: number;
}

function shortStr(s: string): Buffer {
  const body = Buffer.from(s, 'utf8');
  return Buffer.concat([Buffer.from([body.length]), body]);
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

function longStr(body: Buffer): Buffer {
  return Buffer.concat([u32(body.length), body]);
}

function methodFrame(methodId: number, args: Buffer): Buffer {
  const payload = Buffer.concat([u16(CONNECTION), u16(methodId), args]);
  return Buffer.concat([Buffer.from([FRAME_METHOD, 0, 0]), u32(payload.length), payload, Buffer.from([FRAME_END])]);
}

/** start-ok with PLAIN credentials; asks for a connection.close (not a bare disconnect) on failure. */
function startOk(username: string, password: string): Buffer {
  const capability = Buffer.concat([shortStr('authentication_failure_close'), Buffer.from('t'), Buffer.from([1])]);
  const capabilities = Buffer.concat([shortStr('capabilities'), Buffer.from('F'), longStr(capability)]);
  const product = Buffer.concat([shortStr('product'), Buffer.from('S'), longStr(Buffer.from('warrenctl'))]);
  const response = Buffer.concat([Buffer.from([0]), Buffer.from(username, 'utf8'), Buffer.from([0]), Buffer.from(password, 'utf8')]);
  return methodFrame(START_OK, Buffer.concat([longStr(Buffer.concat([product, capabilities])), shortStr('PLAIN'), longStr(response), shortStr('en_US')]));
}

interface Method {
  readonly methodId: number;
  readonly args: Buffer;
}

/** Method frames on channel 0 out of a byte stream; other frames (heartbeats) are skipped. */
class MethodReader {
  private pending = Buffer.alloc(0);

  push(chunk: Buffer): Method[] {
    this.pending = Buffer.concat([this.pending, chunk]);
    const methods: Method[] = [];
    while (this.pending.length >= 7) {
      const size = this.pending.readUInt32BE(3);
      if (this.pending.length < size + 8) break;
      const type = this.pending[0];
      const payload = this.pending.subarray(7, 7 + size);
      this.pending = this.pending.subarray(size + 8);
      if (type === FRAME_METHOD && payload.length >= 4 && payload.readUInt16BE(0) === CONNECTION) {
        methods.push({ methodId: payload.readUInt16BE(2), args: payload.subarray(4) });
      }
    }
    return methods;
  }
}

/**
 * True if the broker at `endpoint` accepts these credentials, false if it refuses them; rejects
 * if it cannot be reached or does not speak AMQP 0-9-1.
 */
export function amqpLoginAccepted(endpoint: AmqpEndpoint, username: string, password: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: endpoint.host, port: endpoint.port });
    const reader = new MethodReader();
    let verdict: boolean | null = null;
    let credentialsSent = false;
    const finish = (error?: Error) => {
      socket.destroy();
      // A broker that drops the connection right after start-ok refused the login.
      if (verdict === null && credentialsSent && error === undefined) verdict = false;
      if (verdict !== null) resolve(verdict);
      else reject(error ?? new Error('the broker closed the connection during the handshake'));
    };
    socket.setTimeout(timeoutMs, () => finish(new Error(`no answer from ${endpoint.host}:${endpoint.port} within ${timeoutMs / 1000} s`)));
    socket.on('connect', () => socket.write(PROTOCOL_HEADER));
    socket.on('error', (err) => finish(err));
    socket.on('close', () => finish());
    socket.on('data', (chunk: Buffer) => {
      for (const method of reader.push(chunk)) {
        if (method.methodId === START) {
          socket.write(startOk(username, password));
          credentialsSent = true;
        } else if (method.methodId === TUNE) {
          verdict = true;
          const tuneOk = Buffer.concat([method.args.subarray(0, 6), u16(0)]);
          socket.write(Buffer.concat([methodFrame(TUNE_OK, tuneOk), methodFrame(CLOSE, Buffer.concat([u16(200), shortStr('authenticate_user'), u16(0), u16(0)]))]));
        } else if (method.methodId === CLOSE) {
          verdict ??= false;
          socket.end(methodFrame(CLOSE_OK, Buffer.alloc(0)));
        } else if (method.methodId === CLOSE_OK) {
          finish();
        }
      }
    });
  });
}
