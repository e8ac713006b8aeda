// The busybox OCI image builder lives with the kit (cnilab solve 09 imports the same image).
export * from '../../src/cluster/containerd/ociImage.ts';
