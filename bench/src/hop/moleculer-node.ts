import { ServiceBroker } from 'moleculer';
import { portOf } from './ping-router.js';

/**
 * A Moleculer broker on the TCP transporter with a static node list (no UDP discovery, so nothing else on the
 * machine joins): CALLEE_PORT and CALLER_PORT are the two nodes' transporter ports.
 */
export function broker(nodeID: 'callee' | 'caller'): ServiceBroker {
  const callee = portOf(process.env, 'CALLEE_TCP_PORT');
  const caller = portOf(process.env, 'CALLER_TCP_PORT');
  return new ServiceBroker({
    nodeID,
    logger: false,
    transporter: {
      type: 'TCP',
      options: {
        udpDiscovery: false,
        port: nodeID === 'callee' ? callee : caller,
        urls: [`127.0.0.1:${callee}/callee`, `127.0.0.1:${caller}/caller`],
      },
    },
  });
}
