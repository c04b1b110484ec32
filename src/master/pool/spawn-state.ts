// What the spawning side of maintenance remembers between passes (Apache keeps it in its retained
// data).

export interface SpawnState {
  idleSpawnRate: number;
  holdOffOnExponentialSpawning: number;
  maxRequestWorkersReported: boolean;
  nearMaxRequestWorkersReported: boolean;
  scoreboardFullReported: boolean;
}

export function freshSpawnState(): SpawnState {
  return {
    idleSpawnRate: 1,
    holdOffOnExponentialSpawning: 0,
    maxRequestWorkersReported: false,
    nearMaxRequestWorkersReported: false,
    scoreboardFullReported: false,
  };
}
