/** Every warrenctl command. */
import type { Command } from '../command.js';
import { listConnections, listChannels, listConsumers, closeConnection } from './connections.js';
import { exportDefinitions, importDefinitions } from './definitions.js';
import { listBindings, listExchanges } from './exchanges.js';
import { helpCommand, version } from './help.js';
import { clearPermissions, listPermissions, listUserPermissions, setPermissions } from './permissions.js';
import { deleteQueue, listQueues, purgeQueue } from './queues.js';
import { status } from './status.js';
import { authenticateUser } from './authenticate-user.js';
import { addUser, changePassword, clearPassword, deleteUser, listUsers, setUserTags } from './users.js';
import { addVhost, deleteVhost, listVhosts } from './vhosts.js';

export const COMMANDS: readonly Command[] = [
  helpCommand(() => COMMANDS),
  version,
  addUser,
  authenticateUser,
  changePassword,
  clearPassword,
  deleteUser,
  listUsers,
  setUserTags,
  clearPermissions,
  listPermissions,
  listUserPermissions,
  listVhosts,
  setPermissions,
  listBindings,
  listChannels,
  listConnections,
  listConsumers,
  listExchanges,
  listQueues,
  status,
  addVhost,
  deleteVhost,
  exportDefinitions,
  importDefinitions,
  closeConnection,
  deleteQueue,
  purgeQueue,
];

export function findCommand(name: string): Command | undefined {
  return COMMANDS.find((c) => c.name === name);
}
