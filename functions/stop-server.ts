import * as df from 'durable-functions';
import { ORCHESTRATIONS } from '../shared/adapters/durable/orchestration-names';
import { windDownOrchestrator } from '../shared/orchestrations/wind-down-server';

df.app.orchestration(ORCHESTRATIONS.stop, windDownOrchestrator('stop'));
