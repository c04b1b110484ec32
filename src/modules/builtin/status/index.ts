// The built-in `status` module: a page like Apache's mod_status, served by every child straight from
// the scoreboard. Enable it with `modules: [{ use: "status" }]`; see docs/status-page.md.

import { readDroverVersion } from "../../../util/version.ts";
import { defineModule } from "../../define.ts";
import type { ModuleFactory } from "../../load.ts";
import { statusHandler } from "./handler.ts";
import { readStatusOptions } from "./options.ts";

const factory: ModuleFactory = (options) => {
  // Read here, so that a bad option fails the config (start or reload), not a child.
  const status = readStatusOptions(options);
  return defineModule({
    name: "status",
    hooks: {
      childInit(context) {
        context.requests.use(statusHandler(status, context.scoreboard, readDroverVersion()));
      },
    },
  });
};

export default factory;
