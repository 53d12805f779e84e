import 'reflect-metadata';
import { container as rootContainer, type DependencyContainer } from 'tsyringe';
import type { BackendInfo } from '../backend/select-backend.js';
import type { LoadedManifest } from '../manifest/load-manifest.js';
import { TOKENS } from '../tokens.js';
import { DefaultTrainer } from '../training/trainer.js';
import type { Reporter } from '../training/reporter.js';
import type { Random } from '../util/random.js';

export interface RunServices {
  loaded: LoadedManifest;
  backend: BackendInfo;
  reporter: Reporter;
  random: Random;
}

/** Lets callers swap a service for one run (e.g. their own Trainer) without touching the global container. */
export type ConfigureContainer = (container: DependencyContainer) => void;

/** A child container holding this run's services; nothing is registered on the global container. */
export function createRunContainer(services: RunServices, configure?: ConfigureContainer): DependencyContainer {
  const run = rootContainer.createChildContainer();
  run.register(TOKENS.Manifest, { useValue: services.loaded.resolved });
  run.register(TOKENS.PluginRegistry, { useValue: services.loaded.registry });
  run.register(TOKENS.Backend, { useValue: services.backend });
  run.register(TOKENS.Reporter, { useValue: services.reporter });
  run.register(TOKENS.Random, { useValue: services.random });
  run.register(TOKENS.Trainer, { useClass: DefaultTrainer });
  configure?.(run);
  return run;
}
