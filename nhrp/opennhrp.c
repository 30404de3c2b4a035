/* placeholder: replaced by the daemon core */
#include <stdio.h>
int main(void) { puts("opennhrp-ng: not yet"); return 1; }
