// An Express app is a Node request handler already: default-export it as it is. drover runs one copy
// in each child and hands that child's connections to it; never call `app.listen()`.
import express from "express";

const app = express();

app.get("/", (_request, response) => {
  response.json({ framework: "express", pid: process.pid });
});

app.get("/users/:id", (request, response) => {
  response.json({ framework: "express", pid: process.pid, user: request.params.id });
});

export default app;
