// How a process finds its place in the simulated cluster: the world's state file, the network
// namespace it runs in, and the node it is on. Set by the sim driver; inherited by children.
export const SIM_ENV = {
  state: 'SIMPLECNI_SIM_STATE',
  netns: 'SIMPLECNI_SIM_NETNS',
  node: 'SIMPLECNI_SIM_NODE',
} as const;

export const onSimulatedKernel = (env: NodeJS.ProcessEnv = process.env) => Boolean(env[SIM_ENV.state]);
