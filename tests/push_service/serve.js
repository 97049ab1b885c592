// web-push-testing on 127.0.0.1 and a free port (its own CLI binds every interface at a fixed port):
// prints "listening <port>" once it accepts connections; endpoints are http://127.0.0.1:<port>/notify/<hash>.
const {PushApiModel} = require('web-push-testing/src/PushApiModel.js');
const Server = require('web-push-testing/src/server.js');

const model = new PushApiModel();
const server = new Server(model, 0);
server.setRequestHandlers();
const listener = server._app.listen(0, '127.0.0.1', () => {
  const port = listener.address().port;
  model.notifyUrl = `http://127.0.0.1:${port}/notify/`;
  console.log(`listening ${port}`);
});
process.stdin.on('end', () => process.exit(0)); // the test closed our stdin: stop with it
process.stdin.resume();
