/**
 * A broker under test whose users, permissions and vhosts the test manages. In process: a
 * Warren started here, managed through its UserStore. Against an external broker
 * (WARREN_TEST_AMQP_URL, e.g. a reference RabbitMQ): through rabbitmqctl, given as
 * WARREN_TEST_RABBITMQCTL (e.g. `rabbitmqctl -n refp@localhost`); without it, tests that need
 * user management are skipped.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startBroker } from '../../src/index.js';
import type { Broker } from '../../src/index.js';
import { EXTERNAL, startTestBroker } from './broker.js';
import type { TestBroker } from './broker.js';

export interface Permissions {
  readonly configure: string;
  readonly write: string;
  readonly read: string;
}

/** What a test may change about the broker's access control. */
export interface UserAdmin {
  /** Creates (or replaces) a user; a null password means none (it cannot log in with one). */
  addUser(name: string, password: string | null, tags?: readonly string[]): Promise<void>;
  deleteUser(name: string): Promise<void>;
  setPermissions(user: string, vhost: string, p: Permissions): Promise<void>;
  clearPermissions(user: string, vhost: string): Promise<void>;
  addVhost(name: string): Promise<void>;
  deleteVhost(name: string): Promise<void>;
}

const ctlCommand = process.env['WARREN_TEST_RABBITMQCTL'] ?? '';

/** For `describe(..., { skip })`: user management needs rabbitmqctl against an external broker. */
export const userAdminUnavailable: string | false =
  EXTERNAL && ctlCommand === '' ? 'set WARREN_TEST_RABBITMQCTL to manage users of the external broker' : false;

const run = promisify(execFile);

function rabbitmqctl(): UserAdmin {
  const [command, ...prefix] = ctlCommand.split(/\s+/).filter((s) => s !== '');
  if (command === undefined) throw new Error('WARREN_TEST_RABBITMQCTL is empty');
  const ctl = async (...args: string[]): Promise<void> => {
    await run(command, [...prefix, ...args], { timeout: 30_000 });
  };
  return {
    async addUser(name, password, tags = []) {
      await ctl('add_user', name, password ?? 'unused');
      if (password === null) await ctl('clear_password', name);
      if (tags.length > 0) await ctl('set_user_tags', name, ...tags);
    },
    deleteUser: (name) => ctl('delete_user', name),
    setPermissions: (user, vhost, p) => ctl('set_permissions', '-p', vhost, user, p.configure, p.write, p.read),
    clearPermissions: (user, vhost) => ctl('clear_permissions', '-p', vhost, user),
    addVhost: (name) => ctl('add_vhost', name),
    deleteVhost: (name) => ctl('delete_vhost', name),
  };
}

function inProcess(broker: Broker): UserAdmin {
  const users = broker.users;
  return {
    async addUser(name, password, tags = []) {
      users.putUser(name, password, tags);
    },
    async deleteUser(name) {
      users.deleteUser(name);
    },
    async setPermissions(user, vhost, p) {
      users.setPermissions({ user, vhost, ...p });
    },
    async clearPermissions(user, vhost) {
      users.clearPermissions(vhost, user);
    },
    async addVhost(name) {
      broker.addVhost(name);
    },
    async deleteVhost(name) {
      broker.deleteVhost(name);
    },
  };
}

/** Starts the broker under test together with the means to manage its users. */
export async function startManagedBroker(): Promise<{ broker: TestBroker; admin: UserAdmin }> {
  if (EXTERNAL) return { broker: await startTestBroker(), admin: rabbitmqctl() };
  const running = await startBroker({ port: 0, bind: ['127.0.0.1'] });
  const broker: TestBroker = {
    url: running.url,
    host: '127.0.0.1',
    port: running.port,
    username: 'guest',
    password: 'guest',
    external: false,
    close: () => running.close(),
  };
  return { broker, admin: inProcess(running.broker) };
}
