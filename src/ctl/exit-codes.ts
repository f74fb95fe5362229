/** rabbitmqctl's exit statuses (the BSD sysexits.h values it uses). */
export const EXIT_OK = 0;
/** Bad command line: unknown command or option, wrong number of arguments, unknown column. */
export const EXIT_USAGE = 64;
/** Input that is wrong: a missing vhost on delete, bad credentials, an unreadable file. */
export const EXIT_DATA_ERROR = 65;
/** The user named does not exist. */
export const EXIT_NO_USER = 67;
/** The broker cannot be reached, or it refused the operation. */
export const EXIT_UNAVAILABLE = 69;
/** Anything unexpected, e.g. a user that already exists. */
export const EXIT_SOFTWARE = 70;
