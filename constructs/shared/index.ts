/**
 * Public surface of the shared-services area: the Key Vault (`SecretStore`), the container
 * registry (`ImageRegistry`) and the private endpoint both can sit behind (`PrivateLink`).
 */
export { PrivateLink, type PrivateEndpointOptions, type PrivateLinkProps } from './private-link';
export {
  SecretStore,
  SecretStoreBase,
  type ISecretSource,
  type ISecretStore,
  type KeyVaultSecretRef,
  type SecretStoreAttributes,
  type SecretStoreProps,
} from './secret-store';
export {
  ImageRegistry,
  ImageRegistryBase,
  type IImageRegistry,
  type IPullRegistry,
  type ImageRegistryAttributes,
  type ImageRegistryProps,
  type ImageRegistrySku,
} from './image-registry';
