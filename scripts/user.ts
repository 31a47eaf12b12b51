// npm run user -- add --username U --role admin|supervisor|clerk|secretary --org CODE [--name NAME] --password-stdin
// npm run user -- passwd --username U --password-stdin
// npm run user -- disable --username U      (ends the account's sessions at once)
// npm run user -- enable --username U
// npm run user -- list
import { parseArgs } from "node:util";
import { ROLES, type Role } from "../server/domain/codes.js";
import { findUserByUsername, createUser, setPassword, setUserStatus } from "../server/services/admin/users.js";
import { getOrgByCode } from "../server/services/orgs/orgs.service.js";
import { openConfiguredDb, readStdin, runCli } from "./cli.js";

const USAGE = "usage: npm run user -- add|passwd|disable|enable|list --username U [--role ROLE --org CODE --name NAME] [--password-stdin]";

await runCli(async () => {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      username: { type: "string" },
      role: { type: "string" },
      org: { type: "string" },
      name: { type: "string" },
      "password-stdin": { type: "boolean", default: false },
    },
  });
  const command = positionals[0];
  if (!command) throw new Error(USAGE);
  const { handle } = openConfiguredDb();
  try {
    const db = handle.db;
    const password = async () => {
      if (!values["password-stdin"])
        throw new Error("the password is read from standard input: pass --password-stdin (never on the command line)");
      const p = (await readStdin()).replace(/\r?\n$/, "");
      if (!p) throw new Error("empty password on standard input");
      return p;
    };
    const needUser = () => {
      if (!values.username) throw new Error("--username is required");
      const u = findUserByUsername(db, values.username);
      if (!u) throw new Error(`no such user: ${values.username}`);
      return u;
    };
    switch (command) {
      case "add": {
        if (!values.username) throw new Error("--username is required");
        if (!values.role || !(ROLES as readonly string[]).includes(values.role))
          throw new Error(`--role must be one of ${ROLES.join(", ")}`);
        if (!values.org) throw new Error("--org CODE is required");
        const org = getOrgByCode(db, values.org);
        if (!org) throw new Error(`no organization with code ${values.org}`);
        const u = await createUser(db, null, {
          username: values.username,
          displayName: values.name ?? values.username,
          role: values.role as Role,
          orgId: org.id,
          password: await password(),
        });
        console.log(`created user ${u.username} (${u.role}) in ${org.code}`);
        break;
      }
      case "passwd": {
        const u = needUser();
        await setPassword(db, null, u.id, await password());
        console.log(`password changed for ${u.username}; its sessions were ended`);
        break;
      }
      case "disable":
      case "enable": {
        const u = needUser();
        setUserStatus(db, null, u.id, command === "disable" ? "disabled" : "active");
        console.log(`${command}d ${u.username}`);
        break;
      }
      case "list": {
        const rows = handle.sqlite
          .prepare("SELECT u.username, u.role, u.status, o.code FROM users u JOIN organizations o ON o.id = u.org_id ORDER BY u.username")
          .all() as { username: string; role: string; status: string; code: string }[];
        for (const r of rows) console.log(`${r.username}\t${r.role}\t${r.status}\t${r.code}`);
        break;
      }
      default:
        throw new Error(`unknown command ${command}. ${USAGE}`);
    }
  } finally {
    handle.close();
  }
});
