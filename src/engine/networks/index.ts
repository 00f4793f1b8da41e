/** Networks: records and CRUD (NetworkService), container wiring (ContainerNetworking), the host side (HostNetwork). */
export { HostNetwork } from './host.ts';
export { type NetworkCreateRequest, NetworkService } from './network-service.ts';
export { type NetworkRecord, sandboxOf } from './record.ts';
export { type ContainerLookup, ContainerNetworking, type NetworkAttachment } from './sandbox.ts';
export { openNetworking } from './setup.ts';
export { NetworkStore } from './store.ts';
