// Extensions: installed in public, or behind the version the server ships.
import { qualified } from '../../findings';
import { finding, rule } from './rule';

export const extensionInPublic = rule<{ name: string; relocatable: boolean }>(
  {
    name: 'extension_in_public',
    title: 'Extension in Public',
    level: 'warning',
    categories: ['SECURITY'],
    description:
      "An extension installed in public puts its functions and types in the Data API's schema and on everyone's search_path; extensions belong in their own schema (extensions).",
  },
  // plpgsql is left out as in splinter: initdb installs it, not the user.
  `select e.extname as name, e.extrelocatable as relocatable
   from pg_catalog.pg_extension e
   join pg_catalog.pg_namespace n on n.oid = e.extnamespace
   where n.nspname = 'public' and e.extname <> 'plpgsql'
   order by 1`,
  () => [],
  (r, self) =>
    finding(
      self,
      { type: 'extension', name: r.name },
      r.relocatable
        ? `Extension ${qualified({ name: r.name })} is installed in schema public`
        : `Extension ${qualified({ name: r.name })} is installed in schema public and cannot be moved: drop it and create it again with schema extensions`,
      r.relocatable ? `alter extension ${qualified({ name: r.name })} set schema extensions;` : undefined,
    ),
);

export const extensionVersionsOutdated = rule<{ name: string; installed: string; latest: string }>(
  {
    name: 'extension_versions_outdated',
    title: 'Extension Versions Outdated',
    level: 'warning',
    categories: ['SECURITY'],
    description:
      'An extension running an older version than the default one the server ships misses that version’s fixes, security fixes included.',
  },
  // Installed versions the server no longer has scripts for (pg_upgrade residue) cannot be updated: left out.
  `select a.name::text as name, a.installed_version as installed, a.default_version as latest
   from pg_catalog.pg_available_extensions a
   where a.installed_version is not null
     and a.default_version is not null
     and a.installed_version <> a.default_version
     and exists (
       select 1 from pg_catalog.pg_available_extension_versions v
       where v.name = a.name and v.version = a.installed_version
     )
   order by 1`,
  () => [],
  (r, self) =>
    finding(
      self,
      { type: 'extension', name: r.name },
      `Extension ${qualified({ name: r.name })} is at version ${r.installed}; the server's default is ${r.latest}`,
      `alter extension ${qualified({ name: r.name })} update to '${r.latest.replace(/'/g, "''")}';`,
    ),
);
