import type { Route } from '../router.js';
import { alivenessRoutes } from './aliveness.js';
import { bindingRoutes } from './bindings.js';
import { channelRoutes } from './channels.js';
import { connectionRoutes } from './connections.js';
import { consumerRoutes } from './consumers.js';
import { definitionRoutes } from './definitions.js';
import { exchangeRoutes } from './exchanges.js';
import { healthRoutes } from './health.js';
import { overviewRoutes } from './overview.js';
import { permissionRoutes } from './permissions.js';
import { queueRoutes } from './queues.js';
import { userRoutes } from './users.js';
import { vhostRoutes } from './vhosts.js';

/** Every route of the API. Literal paths come before patterns that would also match them. */
export const allRoutes: readonly Route[] = [
  ...overviewRoutes,
  ...connectionRoutes,
  ...channelRoutes,
  ...consumerRoutes,
  ...exchangeRoutes,
  ...queueRoutes,
  ...bindingRoutes,
  ...vhostRoutes,
  ...userRoutes,
  ...permissionRoutes,
  ...healthRoutes,
  ...alivenessRoutes,
  ...definitionRoutes,
];
