/* placeholder: replaced by the admin module */
#include <stdio.h>
int main(void) { puts("opennhrpctl: not yet"); return 1; }
