from zaitun.cli import main

main()
