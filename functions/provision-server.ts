import * as df from 'durable-functions';
import { ORCHESTRATIONS } from '../shared/adapters/durable/orchestration-names';
import { provisionServerOrchestrator } from '../shared/orchestrations/provision-server';

df.app.orchestration(ORCHESTRATIONS.provision, provisionServerOrchestrator);
