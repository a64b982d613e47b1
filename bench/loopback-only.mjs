// Preloaded (--import) into a server the bench cannot tell where to listen (the Portkey gateway
// listens on every interface): every listen() without a host binds 127.0.0.1 instead.
import net from 'node:net';

const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function loopbackListen(...args) {
  if (typeof args[0] === 'number')
    return listen.call(
      this,
      args[0],
      '127.0.0.1',
      ...args.slice(1).filter((a) => typeof a === 'function'),
    );
  if (args[0] && typeof args[0] === 'object' && !args[0].path) {
    return listen.call(this, { ...args[0], host: '127.0.0.1' }, ...args.slice(1));
  }
  return listen.apply(this, args);
};
