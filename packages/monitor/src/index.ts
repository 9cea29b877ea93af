// The package entry point: what the daemon composes. Filled by the work that builds this room.
export {};
