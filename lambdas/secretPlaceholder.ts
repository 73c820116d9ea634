/**
 * The public key the stack writes into the Atlas credentials secret it creates, until the user puts theirs:
 * the functions recognise it and say so, instead of sending it to Atlas and reporting a bare 401.
 */
export const PLACEHOLDER_PUBLIC_KEY = 'REPLACE-WITH-YOUR-PUBLIC-KEY';
