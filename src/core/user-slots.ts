/**
 * @module core/user-slots — `client_user_connection_limit` counted outside this node's hub: the
 * workers of `rotor serve --workers N` share one per-user count kept by their primary. The core only
 * sees this port; without one (a single process) the connect checks the hub's count of the user.
 */

/** Per-user connection slots shared with other processes; the limit is the owner's. */
export interface UserConnectionSlots {
  /** Takes one of `userId`'s slots; false when the user already holds the limit. */
  reserve(userId: string): Promise<boolean>;
  /** Gives back a slot `reserve` took. */
  release(userId: string): void;
}
