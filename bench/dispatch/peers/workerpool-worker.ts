// workerpool's worker process: registers the shared methods (`pool.exec(name, [params])` calls them).
import { worker } from "workerpool";
import { methods } from "../work.ts";

worker(methods);
