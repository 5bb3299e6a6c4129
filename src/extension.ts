// Wiring only: builds the services, hands them to the features, and disposes everything once
// (the services are in the context's subscriptions, so no deactivate() is needed). See
// docs/architecture.md, "Services, settings and disposal".
import type * as vscode from 'vscode';
import { registerDebugFeatures } from './debug';
import { registerHostActions } from './views/hostActions';
import { pickHost, registerHostCommands } from './views/hostCommands';
import { registerHotfixFeatures } from './views/hotfix';
import { registerIncidentFeatures } from './views/incident';
import { HostsView } from './views/hostsView';
import { registerLogFeatures } from './views/logs';
import { Services } from './views/services';
import { registerTraceFeatures } from './views/traces';

export function activate(context: vscode.ExtensionContext): void {
  const services = new Services(context);
  context.subscriptions.push(services);
  const hostsView = services.own(new HostsView(services.inventory, services.pool, services.health));
  services.own(registerHostCommands(services, hostsView));
  services.own(registerHostActions(services));
  services.own(registerTraceFeatures(services));
  services.own(registerLogFeatures(services));
  services.own(
    registerDebugFeatures(
      {
        inventory: services.inventory,
        pool: services.pool,
        events: services.events,
        pickHost: (title) => pickHost(services, title),
        pathMappings: services.pathMappings,
        guard: services.guard,
      },
      context.extensionUri,
    ),
  );
  const hotfix = services.own(registerHotfixFeatures(services));
  services.own(registerIncidentFeatures(services, context, hotfix.drift));
}
