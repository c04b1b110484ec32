// An Express app as PM2 or node:cluster runs it: it calls `app.listen(PORT)` itself and exports nothing.
// drover runs it unchanged: in each child, that listen() binds nothing, and drover serves the app's
// server on the config's listen instead (it logs "app called listen(3000); drover serves it on ...").
import express from "express";

const app = express();

app.get("/", (_request, response) => {
  response.json({ framework: "express-listen", pid: process.pid });
});

app.get("/users/:id", (request, response) => {
  response.json({ framework: "express-listen", pid: process.pid, user: request.params.id });
});

const port = Number(process.env.PORT ?? 3000);
app.listen(port, () => {
  console.log(`express-listen: child ${process.pid} listening (drover serves its server)`);
});
