/** Shared by the MessageBus tests: one base props object, a private endpoint, and a synth helper. */
import type { TerraformStack } from 'cdktf';
import { synthJson, testStacks, type Synthesized } from '../core/testing';
import { MessageBus, type MessageBusProps } from './message-bus';

export const BUS_BASE: MessageBusProps = {
  name: 'sbns-webhooks-prod-weu-1a2b',
  resourceGroupName: 'rg',
  location: 'westeurope',
};

export const PRIVATE_ENDPOINT = {
  subnetId: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/pe',
  virtualNetworkId: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v',
};

export interface MessageBusTests {
  newStack(): TerraformStack;
  /** A MessageBus `Bus` from BUS_BASE + `props` in a fresh stack, optionally built on, synthesized. */
  synth(props?: Partial<MessageBusProps>, build?: (bus: MessageBus) => void): Synthesized;
  cleanup(): void;
}

export function messageBusTests(prefix: string): MessageBusTests {
  const { newStack, cleanup } = testStacks(prefix);
  const synth = (props: Partial<MessageBusProps> = {}, build?: (bus: MessageBus) => void): Synthesized => {
    const stack = newStack();
    const bus = new MessageBus(stack, 'Bus', { ...BUS_BASE, ...props });
    build?.(bus);
    return synthJson(stack);
  };
  return { newStack, synth, cleanup };
}
