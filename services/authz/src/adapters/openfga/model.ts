/**
 * The OpenFGA authorization model (DSL). Written to the store at boot when the
 * store's latest model differs; every decision reports the model id it used.
 */
export const assentModelDsl = `model
  schema 1.1

type user

type group
  relations
    define member: [user]

type tenant
  relations
    define admin: [user]
    define member: [user, group#member] or admin

type action
  relations
    define tenant: [tenant]
    define approver: [user, group#member]
    define requester: member from tenant

type grant_window

type grant
  relations
    define action: [action]
    define grantee: [user with active_grant]
    define stamp: [grant_window]
    define can_perform: grantee and requester from action

condition active_grant(current_time: timestamp, grant_start: timestamp, grant_duration: duration) {
  current_time >= grant_start && current_time < grant_start + grant_duration
}
`;
